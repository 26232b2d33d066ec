package org.retinanet4j.notebook;

import java.lang.reflect.Method;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs snippets in this JVM, on the calling thread, and keeps what JShell would only show as text: the value of
 * the last snippet as an object (so a picture can be rendered as one) and the exception it threw (with its
 * causes and full stack trace). Classes come from the application class loader first, so ND4J's natives,
 * loaded once per JVM, are shared with the code that started the run.
 */
final class CapturingExecutionControl extends DirectExecutionControl {

    private Object value;
    private boolean hasValue;
    private Throwable thrown;

    /** Forgets the previous snippet's value and exception. */
    void reset() {
        value = null;
        hasValue = false;
        thrown = null;
    }

    boolean hasValue() {
        return hasValue;
    }

    Object value() {
        return value;
    }

    /** The exception the last snippet threw, or null. */
    Throwable thrown() {
        return thrown;
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        Object v = doitMethod.invoke(null);
        value = v;
        hasValue = true;
        // JShell only passes this string on; the runner renders the object itself (no toString of big arrays)
        return v == null ? "null" : v.getClass().getName();
    }

    @Override
    protected String throwConvertedInvocationException(Throwable cause)
            throws ExecutionControl.RunException, ExecutionControl.InternalException {
        thrown = cause;
        return super.throwConvertedInvocationException(cause);
    }

    /** A provider handing JShell this one instance. */
    ExecutionControlProvider provider() {
        CapturingExecutionControl control = this;
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "retinanet4j-notebook";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, java.util.Map<String, String> parameters) {
                return control;
            }
        };
    }
}
