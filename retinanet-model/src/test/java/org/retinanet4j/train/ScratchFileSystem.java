package org.retinanet4j.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a test's folder, so that a test can fill it up or make it read-only without touching
 * any real disk. Needs root (CI runs as root; a root process also ignores directory permissions, so a tmpfs
 * remounted read-only is the only way it can meet an unwritable folder). {@link #mount} says why when it cannot.
 */
final class ScratchFileSystem implements AutoCloseable {
    private final Path mountPoint;

    private ScratchFileSystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code kilobytes} on {@code mountPoint}; throws with the reason when that is impossible. */
    static ScratchFileSystem mount(Path mountPoint, int kilobytes) throws IOException {
        Files.createDirectories(mountPoint);
        String out = run("mount", "-t", "tmpfs", "-o", "size=" + kilobytes + "k,mode=0755", "tmpfs",
                mountPoint.toString());
        if (out != null) {
            throw new IOException("cannot mount a tmpfs on " + mountPoint + " (user " + System.getProperty("user.name")
                    + "): " + out);
        }
        return new ScratchFileSystem(mountPoint);
    }

    Path root() {
        return mountPoint;
    }

    void remountReadOnly() throws IOException {
        String out = run("mount", "-o", "remount,ro", mountPoint.toString());
        if (out != null) {
            throw new IOException("cannot remount " + mountPoint + " read-only: " + out);
        }
    }

    /** Writes a filler file until the file system is full; returns its size. */
    long fill() throws IOException {
        Path filler = mountPoint.resolve("filler.bin");
        byte[] block = new byte[4096];
        long written = 0;
        try (var out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                out.flush();
                written += block.length;
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        return written;
    }

    @Override
    public void close() throws IOException {
        String out = run("umount", "-l", mountPoint.toString());
        if (out != null) {
            throw new IOException("cannot unmount " + mountPoint + ": " + out);
        }
    }

    /** Runs a command; null when it succeeded, else its output (or why it could not run). */
    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish within 30 s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
