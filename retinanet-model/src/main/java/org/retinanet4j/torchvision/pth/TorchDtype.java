package org.retinanet4j.torchvision.pth;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The element types of torch storages, named as {@code torch.save} names them ({@code torch.FloatStorage}, ...),
 * with their size in bytes and how one element reads from a buffer. Floating types read as float (float64, float16
 * and bfloat16 converted), integer and boolean types as long.
 */
enum TorchDtype {
    FLOAT("FloatStorage", 4, true),
    DOUBLE("DoubleStorage", 8, true),
    HALF("HalfStorage", 2, true),
    BFLOAT16("BFloat16Storage", 2, true),
    LONG("LongStorage", 8, false),
    INT("IntStorage", 4, false),
    SHORT("ShortStorage", 2, false),
    CHAR("CharStorage", 1, false),     // int8
    BYTE("ByteStorage", 1, false),     // uint8
    BOOL("BoolStorage", 1, false);

    private final String storageClass;
    private final int size;
    private final boolean floating;

    TorchDtype(String storageClass, int size, boolean floating) {
        this.storageClass = storageClass;
        this.size = size;
        this.floating = floating;
    }

    /** The class name in the pickle ({@code torch.<name>}). */
    String storageClass() {
        return storageClass;
    }

    /** Bytes per element. */
    int size() {
        return size;
    }

    boolean floating() {
        return floating;
    }

    /** Element {@code index} (not byte offset) of a floating storage. */
    float readFloat(ByteBuffer b, long index) {
        int at = Math.toIntExact(index * size);
        return switch (this) {
            case FLOAT -> b.getFloat(at);
            case DOUBLE -> (float) b.getDouble(at);
            case HALF -> halfToFloat(b.getShort(at));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
            default -> throw new IllegalStateException(this + " is not a floating type");
        };
    }

    /** Element {@code index} of an integer or boolean storage. */
    long readLong(ByteBuffer b, long index) {
        int at = Math.toIntExact(index * size);
        return switch (this) {
            case LONG -> b.getLong(at);
            case INT -> b.getInt(at);
            case SHORT -> b.getShort(at);
            case CHAR -> b.get(at);
            case BYTE, BOOL -> b.get(at) & 0xff;
            default -> throw new IllegalStateException(this + " is a floating type");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exp == 0x1f) {                       // inf, nan
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exp == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            float value = mantissa / 1024f / 16384f;   // subnormal: m * 2^-24
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mantissa << 13));
    }
}
