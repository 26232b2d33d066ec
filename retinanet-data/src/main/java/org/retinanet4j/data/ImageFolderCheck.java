package org.retinanet4j.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Catches the dataset-level mistake of a wrong image folder before any work starts: when none of a dataset's first
 * images exists, nothing will train or evaluate, and skipping image after image (each one logged) only hides it.
 * The error names the folder searched and, when the files are in a folder nearby (a subfolder or one below it, the
 * parent, a sibling such as {@code shapes/train} next to {@code shapes/annotations}, or a sibling of the parent),
 * that folder. A dataset with some of
 * its images missing passes; the iterator skips those with a summarised warning.
 */
public final class ImageFolderCheck {
    /** How many of the first images are looked for. */
    public static final int SAMPLE = 20;
    /** Folders listed while looking for the images nearby, at most. */
    private static final int MAX_CANDIDATES = 500;

    private ImageFolderCheck() {
    }

    /**
     * @param option the command-line option that sets the image folder (for the message), e.g. {@code --images}
     * @throws DatasetFormatException when none of the first {@value #SAMPLE} images exists
     */
    public static void requireImages(DetectionDataset dataset, String option) throws DatasetFormatException {
        int n = Math.min(SAMPLE, dataset.numImages());
        if (n == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            if (Files.isRegularFile(dataset.imagePath(i))) {
                return;
            }
        }
        Path root = dataset.imageRoot().toAbsolutePath().normalize();
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(dataset.fileName(i));
        }
        StringBuilder m = new StringBuilder();
        m.append(dataset.source()).append(": none of its first ").append(n == dataset.numImages() ? "" : n + " ")
                .append(n == 1 ? "image" : "images").append(" (").append(names.get(0))
                .append(n > 1 ? ", " + names.get(1) + ", ..." : "").append(") is in the image folder ").append(root);
        List<Path> found = nearby(root, names, dataset.source());
        if (!found.isEmpty()) {
            m.append("; they are in ").append(found.get(0))
                    .append(found.size() > 1 ? " (files of those names are also in " + found.get(1) + ")" : "")
                    .append(option == null ? "" : ": give " + option + " " + found.get(0));
        } else if (!Files.isDirectory(root)) {
            m.append(" (that folder does not exist)");
        } else if (option != null) {
            m.append("; give the folder that holds them with ").append(option);
        }
        throw new DatasetFormatException(m.toString());
    }

    /**
     * Folders near {@code searched} (which may not exist) holding most of {@code names}, best first: more of the
     * names, then a folder whose name appears in the dataset's source (train/ for instances_train.json). Empty when
     * none holds any.
     */
    private static List<Path> nearby(Path searched, List<String> names, String source) {
        Path start = searched;
        while (start != null && !Files.isDirectory(start)) {
            start = start.getParent();
        }
        if (start == null) {
            return List.of();
        }
        Set<Path> candidates = new LinkedHashSet<>();
        candidates.add(start);
        subfolders(start, candidates);
        for (Path child : List.copyOf(candidates)) {
            if (!child.equals(start)) {
                subfolders(child, candidates);
            }
        }
        Path parent = start.getParent();
        if (parent != null) {
            candidates.add(parent);
            subfolders(parent, candidates);
            Path grandparent = parent.getParent();
            if (grandparent != null) {
                subfolders(grandparent, candidates);
            }
        }
        candidates.remove(searched);
        String sourceName = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
        List<Path> best = new ArrayList<>();
        int bestScore = 0;
        for (Path dir : candidates) {
            int held = 0;
            for (String name : names) {
                held += Files.isRegularFile(dir.resolve(name)) ? 1 : 0;
            }
            if (held == 0) {
                continue;
            }
            int score = 2 * held + (sourceName.contains(dir.getFileName().toString()) ? 1 : 0);
            if (score > bestScore) {
                best.add(0, dir);
                bestScore = score;
            } else {
                best.add(dir);
            }
        }
        return best;
    }

    private static void subfolders(Path dir, Set<Path> into) {
        if (into.size() >= MAX_CANDIDATES || !Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path p : entries) {
                if (into.size() >= MAX_CANDIDATES) {
                    return;
                }
                into.add(p);
            }
        } catch (IOException | SecurityException e) {
            // an unreadable folder is simply not a candidate
        }
    }
}
