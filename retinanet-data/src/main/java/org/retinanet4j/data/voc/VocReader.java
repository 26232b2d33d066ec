package org.retinanet4j.data.voc;

import org.retinanet4j.data.BoxClipper;
import org.retinanet4j.data.BoxFlags;
import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DatasetFormatException;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.DetectionDatasetBuilder;
import org.retinanet4j.data.OutOfImagePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a Pascal VOC folder ({@code Annotations/*.xml}, {@code JPEGImages/}, optional
 * {@code ImageSets/Main/<split>.txt}) into a {@link DetectionDataset}.
 *
 * <p>Image ids are 1..n in reading order (VOC has no numeric ids; the file name stays available). Objects marked
 * {@code <difficult>1</difficult>} are kept as ignore regions ({@link BoxFlags#DIFFICULT}) by default, or dropped
 * with a logged count when {@code keepDifficult} is false. Coordinates convert as {@link VocCoordinates} says
 * (default {@link VocCoordinates#AS_WRITTEN}). Errors name the XML file, the object and the field: malformed XML
 * (with line and column), missing size/name/bndbox fields, non-numeric values, xmax &lt; xmin or ymax &lt; ymin,
 * an unknown class name, an empty dataset. Boxes reaching outside the image follow the {@link OutOfImagePolicy}.
 */
public final class VocReader {

    /** The 20 Pascal VOC classes, in the devkit's order (class index = position). */
    public static final List<String> VOC_CLASSES = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus",
            "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep",
            "sofa", "train", "tvmonitor");

    private static final Logger log = LoggerFactory.getLogger(VocReader.class);

    private final CategoryMap categories;
    private final String classesOrigin;
    private final boolean keepDifficult;
    private final VocCoordinates coordinates;
    private final OutOfImagePolicy outOfImagePolicy;

    /** The 20 VOC classes, difficult objects kept as ignore regions, corners as written, clipping. */
    public VocReader() {
        this(VOC_CLASSES, true, VocCoordinates.AS_WRITTEN, OutOfImagePolicy.CLIP);
    }

    public VocReader(List<String> classNames, boolean keepDifficult, VocCoordinates coordinates,
                     OutOfImagePolicy outOfImagePolicy) {
        this(CategoryMap.ofNames(classNames), null, keepDifficult, coordinates, outOfImagePolicy);
    }

    /**
     * A dataset's own classes (e.g. {@link #classNames} of its training split, or a model's), difficult objects
     * kept as ignore regions, corners as written, clipping. {@code classesOrigin} (e.g. "the training split") is
     * named in the error about an object of another class; null for none.
     */
    public VocReader(CategoryMap categories, String classesOrigin) {
        this(categories, classesOrigin, true, VocCoordinates.AS_WRITTEN, OutOfImagePolicy.CLIP);
    }

    private VocReader(CategoryMap categories, String classesOrigin, boolean keepDifficult, VocCoordinates coordinates,
                      OutOfImagePolicy outOfImagePolicy) {
        this.categories = categories;
        this.classesOrigin = classesOrigin;
        this.keepDifficult = keepDifficult;
        this.coordinates = coordinates;
        this.outOfImagePolicy = outOfImagePolicy;
    }

    /**
     * @param vocRoot folder holding Annotations/ and JPEGImages/
     * @param split   name of an {@code ImageSets/Main/<split>.txt} list, or null for every XML file (sorted by name)
     */
    public DetectionDataset read(Path vocRoot, String split) throws IOException {
        Path annotations = vocRoot.resolve("Annotations");
        List<Path> files = split == null ? allXml(annotations) : splitFiles(vocRoot, annotations, split);
        String source = vocRoot + (split == null ? "" : " (split " + split + ")");
        DetectionDatasetBuilder builder = new DetectionDatasetBuilder(source, vocRoot.resolve("JPEGImages"));
        BoxClipper clipper = new BoxClipper(source, outOfImagePolicy);
        DocumentBuilder xml = newDocumentBuilder();
        int droppedDifficult = 0;
        long annotationId = 1;
        for (Path f : files) {
            Document doc = parse(xml, f);
            Element root = doc.getDocumentElement();
            String stem = f.getFileName().toString().replaceFirst("\\.xml$", "");
            Element fileName = child(root, "filename");
            String image = fileName != null && !fileName.getTextContent().isBlank()
                    ? fileName.getTextContent().trim() : stem + ".jpg";
            Element size = required(root, "size", f, "annotation");
            int width = (int) number(required(size, "width", f, "size"), f, "size/width");
            int height = (int) number(required(size, "height", f, "size"), f, "size/height");
            if (width <= 0 || height <= 0) {
                throw new DatasetFormatException(f + ": size: width and height must be positive, got " + width + "x"
                        + height);
            }
            int pos = builder.addImage(builder.numImages() + 1, image, width, height);
            NodeList objects = root.getElementsByTagName("object");
            for (int o = 0; o < objects.getLength(); o++) {
                Element obj = (Element) objects.item(o);
                if (obj.getParentNode() != root) {
                    continue;   // <part> elements of person layouts are not objects
                }
                String record = f + " object #" + o;
                String name = required(obj, "name", f, "object #" + o).getTextContent().trim();
                int cls = categories.indexOfName(name);
                if (cls < 0) {
                    throw new DatasetFormatException(record + ": field name '" + name + "' is not "
                            + (classesOrigin == null ? "a known class (classes: " : "one of the classes of "
                            + classesOrigin + " (") + String.join(", ", categories.names()) + ")");
                }
                Element difficultEl = child(obj, "difficult");
                boolean difficult = difficultEl != null && number(difficultEl, f, "object #" + o + "/difficult") != 0;
                if (difficult && !keepDifficult) {
                    droppedDifficult++;
                    continue;
                }
                Element bnd = required(obj, "bndbox", f, "object #" + o);
                double[] corners = new double[4];   // in double: the raw box keeps full precision
                String[] fields = {"xmin", "ymin", "xmax", "ymax"};
                for (int j = 0; j < 4; j++) {
                    corners[j] = number(required(bnd, fields[j], f, "object #" + o + "/bndbox"), f,
                            "object #" + o + "/bndbox/" + fields[j]);
                }
                if (corners[2] < corners[0] || corners[3] < corners[1]) {
                    throw new DatasetFormatException(record + ": bndbox has negative width or height (xmin "
                            + corners[0] + ", xmax " + corners[2] + ", ymin " + corners[1] + ", ymax " + corners[3]
                            + ")");
                }
                if (coordinates == VocCoordinates.PIXEL_EDGES) {
                    corners[0] -= 1;
                    corners[1] -= 1;
                }
                double rx = corners[0];
                double ry = corners[1];
                double rw = corners[2] - corners[0];
                double rh = corners[3] - corners[1];
                float[] box = {(float) corners[0], (float) corners[1], (float) corners[2], (float) corners[3]};
                clipper.apply(box, width, height, record);
                builder.addBox(pos, box[0], box[1], box[2], box[3], rx, ry, rw, rh, cls,
                        difficult ? BoxFlags.DIFFICULT : 0, rw * rh, annotationId++);
            }
        }
        clipper.logSummary();
        if (droppedDifficult > 0) {
            log.info("{}: dropped {} difficult objects (keepDifficult = false)", source, droppedDifficult);
        }
        DetectionDataset d = builder.build(categories);
        log.info("{}: {} images, {} boxes", source, d.numImages(), d.numBoxes());
        return d;
    }

    /**
     * The class names the objects of a VOC folder (or of one split) use, sorted: a dataset's own classes, for
     * {@link #VocReader(CategoryMap, String)}. Errors as {@link #read}: malformed XML, a missing name, an empty split.
     */
    public static List<String> classNames(Path vocRoot, String split) throws IOException {
        Path annotations = vocRoot.resolve("Annotations");
        List<Path> files = split == null ? allXml(annotations) : splitFiles(vocRoot, annotations, split);
        DocumentBuilder xml = newDocumentBuilder();
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (Path f : files) {
            Element root = parse(xml, f).getDocumentElement();
            NodeList objects = root.getElementsByTagName("object");
            for (int o = 0; o < objects.getLength(); o++) {
                Element obj = (Element) objects.item(o);
                if (obj.getParentNode() == root) {
                    names.add(required(obj, "name", f, "object #" + o).getTextContent().trim());
                }
            }
        }
        if (names.isEmpty()) {
            throw new DatasetFormatException(vocRoot + (split == null ? "" : " (split " + split + ")")
                    + ": no objects, so no classes to learn");
        }
        return List.copyOf(names);
    }

    private static List<Path> allXml(Path annotations) throws IOException {
        if (!Files.isDirectory(annotations)) {
            throw new DatasetFormatException(annotations + ": no Annotations folder");
        }
        try (Stream<Path> s = Files.list(annotations)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList();
        }
    }

    private static List<Path> splitFiles(Path root, Path annotations, String split) throws IOException {
        Path list = root.resolve("ImageSets").resolve("Main").resolve(split + ".txt");
        if (!Files.isRegularFile(list)) {
            throw new DatasetFormatException(list + ": split list not found");
        }
        List<Path> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(list);
        for (int i = 0; i < lines.size(); i++) {
            String id = lines.get(i).trim();
            if (id.isEmpty()) {
                continue;
            }
            id = id.split("\\s+")[0];   // per-class lists carry a second column (1 / -1 / 0)
            Path xml = annotations.resolve(id + ".xml");
            if (!Files.isRegularFile(xml)) {
                throw new DatasetFormatException(list + " line " + (i + 1) + ": no annotation file " + xml);
            }
            out.add(xml);
        }
        if (out.isEmpty()) {
            throw new DatasetFormatException(list + ": the split list is empty (one image id per line expected)");
        }
        return out;
    }

    private static DocumentBuilder newDocumentBuilder() throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new org.xml.sax.ErrorHandler() {   // throw, never print to stderr
                @Override
                public void warning(SAXParseException e) {
                }

                @Override
                public void error(SAXParseException e) throws SAXParseException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXParseException {
                    throw e;
                }
            });
            return b;
        } catch (ParserConfigurationException e) {
            throw new IOException("no XML parser: " + e.getMessage(), e);
        }
    }

    private static Document parse(DocumentBuilder xml, Path f) throws IOException {
        try {
            return xml.parse(f.toFile());
        } catch (SAXParseException e) {
            throw new DatasetFormatException(f + ": malformed XML at line " + e.getLineNumber() + ", column "
                    + e.getColumnNumber() + ": " + e.getMessage(), e);
        } catch (SAXException e) {
            throw new DatasetFormatException(f + ": malformed XML: " + e.getMessage(), e);
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static Element required(Element parent, String name, Path f, String where) throws DatasetFormatException {
        Element e = child(parent, name);
        if (e == null) {
            throw new DatasetFormatException(f + ": " + where + ": missing field " + name);
        }
        return e;
    }

    private static double number(Element e, Path f, String field) throws DatasetFormatException {
        String text = e.getTextContent().trim();
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException ex) {
            throw new DatasetFormatException(f + ": field " + field + " must be a number, got '" + text + "'");
        }
    }
}
