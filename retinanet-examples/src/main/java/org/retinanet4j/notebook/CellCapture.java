package org.retinanet4j.notebook;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The outputs of one running cell, in the order they happened: what the cell writes to {@code System.out} and
 * {@code System.err} (a new stream output whenever the stream changes, as Jupyter shows them), pictures and text
 * from {@code display(...)}, and finally the value of the last expression. While a cell runs, {@link #install}
 * points {@code System.out}/{@code System.err} here; {@link #close} puts them back.
 */
final class CellCapture implements AutoCloseable {

    private static volatile CellCapture current;

    private final List<CellOutput> outputs = new ArrayList<>();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private String pendingName;
    private PrintStream savedOut;
    private PrintStream savedErr;

    /** The capture of the cell now running, or null. */
    static CellCapture current() {
        return current;
    }

    /** Starts capturing this JVM's standard streams into a new capture. */
    static CellCapture install() {
        CellCapture c = new CellCapture();
        c.savedOut = System.out;
        c.savedErr = System.err;
        System.setOut(c.stream("stdout"));
        System.setErr(c.stream("stderr"));
        current = c;
        return c;
    }

    private PrintStream stream(String name) {
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (CellCapture.this) {
                    if (!name.equals(pendingName)) {
                        flushStream();
                        pendingName = name;
                    }
                    pending.write(b, off, len);
                }
            }
        };
        return new PrintStream(sink, true, StandardCharsets.UTF_8);
    }

    synchronized void display(Object value) {
        System.out.flush();
        System.err.flush();
        flushStream();
        outputs.add(CellOutput.display(DisplayRenderer.render(value)));
    }

    synchronized void result(Object value) {
        flushStream();
        outputs.add(CellOutput.result(DisplayRenderer.render(value)));
    }

    /** The outputs so far (streams written up to now included). */
    synchronized List<CellOutput> outputs() {
        System.out.flush();
        System.err.flush();
        flushStream();
        return List.copyOf(outputs);
    }

    private void flushStream() {
        if (pending.size() > 0) {
            outputs.add(CellOutput.stream(pendingName, pending.toString(StandardCharsets.UTF_8)));
            pending.reset();
        }
    }

    @Override
    public void close() {
        System.out.flush();
        System.err.flush();
        System.setOut(savedOut);
        System.setErr(savedErr);
        current = null;
    }
}
