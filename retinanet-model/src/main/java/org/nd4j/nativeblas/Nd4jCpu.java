package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility shim for DL4J 1.0.0-M2.1's oneDNN layer helpers.
 *
 * <p>{@code BaseMKLDNNHelper.mklDnnEnabled()} reflects on {@code org.nd4j.nativeblas.Nd4jCpu$Environment}
 * ({@code getInstance()}, then {@code isUseMKLDNN()}), a class that M2.1 no longer ships; the lookup fails and
 * DL4J silently drops every oneDNN helper (much slower convolutions). This class has exactly that name and answers
 * by forwarding to the real environment, {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment}.
 * It answers {@code false} whenever the native build has no oneDNN, so it can never turn on a helper that
 * cannot run. See {@link org.retinanet4j.runtime.OneDnnHelpers}.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** Stand-in for the class that DL4J's helper check looks up by name. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** True when the loaded libnd4j was built with oneDNN and has it switched on. */
        public boolean isUseMKLDNN() {
            try {
                org.nd4j.linalg.factory.Nd4j.getBackend(); // loads the native library before we query it
                Class<?> real = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                Object env = real.getMethod("getInstance").invoke(null);
                Method useOneDnn = real.getMethod("isUseONEDNN");
                String buildInfo = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
                boolean built = buildInfo != null && buildInfo.contains("HAVE_ONEDNN");
                return built && (Boolean) useOneDnn.invoke(env);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                return false; // not the CPU backend, or another ND4J release
            }
        }
    }
}
