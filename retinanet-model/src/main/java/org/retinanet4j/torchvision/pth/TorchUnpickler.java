package org.retinanet4j.torchvision.pth;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * net.razorvine's {@link Unpickler} taught the few torch names a {@code torch.save} pickle uses:
 * {@code torch._utils._rebuild_tensor_v2} (and {@code _rebuild_tensor}, {@code _rebuild_parameter}) become
 * {@link PickledTensor}s, {@code torch.FloatStorage} etc. name a {@link TorchDtype}, the persistent ids
 * {@code ('storage', type, key, location, numel[, view])} become {@link StorageRef}s (the bytes are read by the
 * caller), and {@code collections.OrderedDict} keeps its order. Every other class unpickles as the library's
 * {@code ClassDict} (no code runs), which is how a whole pickled model shows up.
 *
 * <p>The library keeps its constructor registry in a static map: the names registered here are visible to every
 * {@link Unpickler} in the JVM (they only add torch names and an order-keeping OrderedDict).
 */
final class TorchUnpickler extends Unpickler {

    static {
        IObjectConstructor rebuildTensor = TorchUnpickler::rebuildTensor;
        registerConstructor("torch._utils", "_rebuild_tensor_v2", rebuildTensor);
        registerConstructor("torch._utils", "_rebuild_tensor", rebuildTensor);
        registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
        for (TorchDtype t : TorchDtype.values()) {
            registerConstructor("torch", t.storageClass(), new StorageType(t));
        }
        registerConstructor("collections", "OrderedDict", args -> new PickledOrderedDict());
    }

    /** {@code torch.FloatStorage} etc. in a persistent id: only names the element type, never called. */
    record StorageType(TorchDtype dtype) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("torch." + dtype.storageClass() + " cannot be constructed from a pickle");
        }
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] t) || t.length < 5 || !"storage".equals(t[0])
                || !(t[1] instanceof StorageType type)) {
            throw new PickleException("unexpected persistent id " + describe(pid) + " (not a torch storage)");
        }
        if (t.length > 5 && t[5] != null) {
            throw new PickleException("storage views (torch < 0.4 files) are not supported");
        }
        return new StorageRef(String.valueOf(t[2]), type.dtype(), ((Number) t[4]).longValue());
    }

    /**
     * SETITEMS: the library collects a batch of items in a HashMap before adding them, which would lose the order
     * of an OrderedDict (a state dict's tensor order); add them in stream order instead.
     */
    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        if (key != Opcodes.SETITEMS) {
            return super.dispatch(key);
        }
        List<Object> items = stack.pop_all_since_marker();
        @SuppressWarnings("unchecked")
        Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            dict.put(items.get(i), items.get(i + 1));
        }
        return NO_RETURN_VALUE;
    }

    /** (storage, storage_offset, size, stride, ...) of torch._utils._rebuild_tensor_v2. */
    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof StorageRef storage)) {
            throw new PickleException("_rebuild_tensor: unexpected arguments " + describe(args));
        }
        long[] size = longs(args[2]);
        long[] stride = longs(args[3]);
        if (size.length != stride.length) {
            throw new PickleException("_rebuild_tensor: size and stride differ in rank");
        }
        return new PickledTensor(storage, ((Number) args[1]).longValue(), size, stride);
    }

    private static long[] longs(Object tuple) {
        Object[] t = (Object[]) tuple;
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = ((Number) t[i]).longValue();
        }
        return out;
    }

    private static String describe(Object o) {
        return o instanceof Object[] a ? java.util.Arrays.deepToString(a) : String.valueOf(o);
    }
}
