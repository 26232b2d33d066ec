package org.retinanet4j.data.coco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import org.retinanet4j.data.BoxClipper;
import org.retinanet4j.data.BoxFlags;
import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DatasetFormatException;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.DetectionDatasetBuilder;
import org.retinanet4j.data.LongOrder;
import org.retinanet4j.data.OutOfImagePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a COCO "instances" file ({@code images}, {@code annotations}, {@code categories}, in any order) into a
 * {@link DetectionDataset} with Jackson's streaming parser: no tree of the file, no object per annotation, so
 * train2017 (118k images, 860k boxes) loads in a few seconds with a 1 GB heap.
 *
 * <p>Rules (each violation throws a {@link DatasetFormatException} naming the file, the record and the field):
 * <ul>
 *   <li>required: sections {@code images} and {@code categories} ({@code annotations} may be absent, as in
 *       COCO's test image lists); image {@code id, file_name, width, height}; annotation {@code id, image_id,
 *       category_id, bbox}; category {@code id, name}. Ids are 64-bit integers.</li>
 *   <li>optional: {@code iscrowd} (0 when absent; 1 = crowd, kept as an ignore region), {@code area} (the box
 *       area w*h when absent, counted in a warning: pycocotools itself requires it). {@code bbox} and
 *       {@code area} are kept as the file's doubles, so COCO evaluation of the dataset matches pycocotools to
 *       the last bit. Other fields (segmentation, ignore, licenses, info...) are not used; like
 *       pycocotools, only {@code iscrowd} marks ignore regions.</li>
 *   <li>errors: malformed JSON (with line and column), image width/height &lt;= 0, bbox with negative width
 *       or height or not 4 numbers, unknown image or category id, duplicate image/annotation/category ids, no
 *       images, no categories.</li>
 *   <li>a box reaching outside its image is clipped to it with a logged warning ({@link OutOfImagePolicy#CLIP},
 *       default) or rejected ({@link OutOfImagePolicy#REJECT}); the raw bbox stays available unclipped. A box of
 *       zero width or height is kept (evaluation needs every annotation) and counted in a warning.</li>
 * </ul>
 * Category ids (COCO's are 1..90 with gaps) map to contiguous class indices in ascending id order.
 */
public final class CocoInstancesReader {

    private static final Logger log = LoggerFactory.getLogger(CocoInstancesReader.class);
    // Only bbox/area numbers are parsed (segmentations are skipped unparsed); the fast double parser halves that cost.
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

    private final OutOfImagePolicy outOfImagePolicy;

    /** A reader that clips out-of-image boxes. */
    public CocoInstancesReader() {
        this(OutOfImagePolicy.CLIP);
    }

    public CocoInstancesReader(OutOfImagePolicy outOfImagePolicy) {
        this.outOfImagePolicy = outOfImagePolicy;
    }

    /**
     * @param instancesJson the COCO instances file
     * @param imageRoot     folder the images' {@code file_name}s are relative to
     */
    public DetectionDataset read(Path instancesJson, Path imageRoot) throws IOException {
        String file = instancesJson.toString();
        try (InputStream in = Files.newInputStream(instancesJson)) {
            return read(in, file, imageRoot);
        }
    }

    /** Reads from a stream; {@code sourceName} names it in messages. */
    public DetectionDataset read(InputStream in, String sourceName, Path imageRoot) throws IOException {
        long t0 = System.nanoTime();
        Parse parse = new Parse(sourceName, imageRoot);
        try (JsonParser p = JSON.createParser(in)) {
            parse.document(p);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new DatasetFormatException(sourceName + ": malformed JSON" + where + ": " + e.getOriginalMessage(), e);
        }
        DetectionDataset dataset = parse.assemble(outOfImagePolicy);
        log.info("{}: {} images, {} boxes, {} categories in {} ms", sourceName, dataset.numImages(),
                dataset.numBoxes(), dataset.categories().size(), (System.nanoTime() - t0) / 1_000_000);
        return dataset;
    }

    /** State of one parse: images straight into the builder, annotations into flat arrays until all is read. */
    private static final class Parse {
        private final String source;
        private final List<Long> categoryIds = new ArrayList<>();
        private final List<String> categoryNames = new ArrayList<>();
        private final DetectionDatasetBuilder builder;
        private int nAnn;
        private long[] annIds = new long[4096];
        private long[] annImage = new long[4096];
        private long[] annCategory = new long[4096];
        private double[] annBox = new double[4 * 4096];   // doubles: evaluation needs the file's exact values
        private double[] annArea = new double[4096];
        private byte[] annCrowd = new byte[4096];
        private boolean sawImages;
        private boolean sawAnnotations;
        private boolean sawCategories;

        Parse(String source, Path imageRoot) {
            this.source = source;
            this.builder = new DetectionDatasetBuilder(source, imageRoot);
        }

        void document(JsonParser p) throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw error(p, "the file must be a JSON object with images, annotations and categories");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "images" -> {
                        expectArray(p, t, "images");
                        sawImages = true;
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            image(p);
                        }
                        expectEndArray(p, "images");
                    }
                    case "annotations" -> {
                        expectArray(p, t, "annotations");
                        sawAnnotations = true;
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            annotation(p);
                        }
                        expectEndArray(p, "annotations");
                    }
                    case "categories" -> {
                        expectArray(p, t, "categories");
                        sawCategories = true;
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            category(p);
                        }
                        expectEndArray(p, "categories");
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw error(p, "unexpected " + p.currentToken() + " at the top level");
            }
            if (p.nextToken() != null) {
                throw error(p, "content after the end of the top-level object");
            }
        }

        private void image(JsonParser p) throws IOException {
            int record = builder.numImages();
            long id = 0;
            String file = null;
            int w = 0;
            int h = 0;
            int seen = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "id" -> {
                        id = longValue(p, "images", record, "id");
                        seen |= 1;
                    }
                    case "file_name" -> {
                        if (p.currentToken() != JsonToken.VALUE_STRING) {
                            throw error(p, "images record #" + record + ": field file_name must be a string");
                        }
                        file = p.getText();
                        seen |= 2;
                    }
                    case "width" -> {
                        w = (int) longValue(p, "images", record, "width");
                        seen |= 4;
                    }
                    case "height" -> {
                        h = (int) longValue(p, "images", record, "height");
                        seen |= 8;
                    }
                    default -> p.skipChildren();
                }
            }
            String[] names = {"id", "file_name", "width", "height"};
            for (int k = 0; k < 4; k++) {
                if ((seen & (1 << k)) == 0) {
                    throw error(p, "images record #" + record + (k == 0 ? "" : " (id " + id + ")")
                            + ": missing field " + names[k]);
                }
            }
            if (w <= 0 || h <= 0) {
                throw error(p, "image id " + id + " (images record #" + record + "): width and height must be "
                        + "positive, got width " + w + ", height " + h);
            }
            builder.addImage(id, file, w, h);
        }

        private void annotation(JsonParser p) throws IOException {
            int record = nAnn;
            if (nAnn == annIds.length) {
                int cap = 2 * nAnn;
                annIds = Arrays.copyOf(annIds, cap);
                annImage = Arrays.copyOf(annImage, cap);
                annCategory = Arrays.copyOf(annCategory, cap);
                annBox = Arrays.copyOf(annBox, 4 * cap);
                annArea = Arrays.copyOf(annArea, cap);
                annCrowd = Arrays.copyOf(annCrowd, cap);
            }
            int seen = 0;
            annArea[record] = Double.NaN;
            annCrowd[record] = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "id" -> {
                        annIds[record] = longValue(p, "annotations", record, "id");
                        seen |= 1;
                    }
                    case "image_id" -> {
                        annImage[record] = longValue(p, "annotations", record, "image_id");
                        seen |= 2;
                    }
                    case "category_id" -> {
                        annCategory[record] = longValue(p, "annotations", record, "category_id");
                        seen |= 4;
                    }
                    case "bbox" -> {
                        bbox(p, record);
                        seen |= 8;
                    }
                    case "area" -> annArea[record] = doubleValue(p, "annotations", record, "area");
                    case "iscrowd" -> annCrowd[record] = crowdValue(p, record);
                    default -> p.skipChildren();
                }
            }
            String[] names = {"id", "image_id", "category_id", "bbox"};
            for (int k = 0; k < 4; k++) {
                if ((seen & (1 << k)) == 0) {
                    throw error(p, "annotations record #" + record + ((seen & 1) != 0 ? " (id " + annIds[record]
                            + ")" : "") + ": missing field " + names[k]);
                }
            }
            nAnn++;
        }

        private void bbox(JsonParser p, int record) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw error(p, "annotations record #" + record + ": field bbox must be an array [x, y, w, h]");
            }
            int k = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (!p.currentToken().isNumeric() || k >= 4) {
                    throw error(p, "annotations record #" + record + ": field bbox must hold exactly 4 numbers");
                }
                annBox[4 * record + k++] = p.getDoubleValue();
            }
            if (k != 4) {
                throw error(p, "annotations record #" + record + ": field bbox must hold exactly 4 numbers, got " + k);
            }
        }

        private byte crowdValue(JsonParser p, int record) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                return (byte) (t == JsonToken.VALUE_TRUE ? 1 : 0);
            }
            long v = longValue(p, "annotations", record, "iscrowd");
            if (v != 0 && v != 1) {
                throw error(p, "annotations record #" + record + ": field iscrowd must be 0 or 1, got " + v);
            }
            return (byte) v;
        }

        private void category(JsonParser p) throws IOException {
            int record = categoryIds.size();
            Long id = null;
            String name = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "id" -> id = longValue(p, "categories", record, "id");
                    case "name" -> {
                        if (p.currentToken() != JsonToken.VALUE_STRING) {
                            throw error(p, "categories record #" + record + ": field name must be a string");
                        }
                        name = p.getText();
                    }
                    default -> p.skipChildren();
                }
            }
            if (id == null || name == null) {
                throw error(p, "categories record #" + record + ": missing field " + (id == null ? "id" : "name"));
            }
            categoryIds.add(id);
            categoryNames.add(name);
        }

        private long longValue(JsonParser p, String section, int record, String field) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw error(p, section + " record #" + record + ": field " + field + " must be an integer, got "
                        + p.currentToken() + " '" + p.getText() + "'");
            }
            return p.getLongValue();
        }

        private double doubleValue(JsonParser p, String section, int record, String field) throws IOException {
            if (!p.currentToken().isNumeric()) {
                throw error(p, section + " record #" + record + ": field " + field + " must be a number, got "
                        + p.currentToken());
            }
            return p.getDoubleValue();
        }

        private void expectArray(JsonParser p, JsonToken t, String field) throws IOException {
            if (t != JsonToken.START_ARRAY) {
                throw error(p, "field " + field + " must be an array");
            }
        }

        private void expectEndArray(JsonParser p, String field) throws IOException {
            if (p.currentToken() != JsonToken.END_ARRAY) {
                throw error(p, "field " + field + " must hold only objects, got " + p.currentToken());
            }
        }

        private DatasetFormatException error(JsonParser p, String message) {
            JsonLocation loc = p.currentLocation();
            return new DatasetFormatException(source + ": " + message + " (line " + loc.getLineNr() + ", column "
                    + loc.getColumnNr() + ")");
        }

        private void requireSection(boolean seen, String name) throws DatasetFormatException {
            if (!seen) {
                throw new DatasetFormatException(source + ": missing field " + name + " (top level)");
            }
        }

        DetectionDataset assemble(OutOfImagePolicy policy) throws DatasetFormatException {
            requireSection(sawImages, "images");
            if (!sawAnnotations) {
                log.info("{}: no annotations section: images only (like COCO's image_info_test2017.json)", source);
            }
            requireSection(sawCategories, "categories");
            if (categoryIds.isEmpty()) {
                throw new DatasetFormatException(source + ": no categories");
            }
            long[] catIds = new long[categoryIds.size()];
            for (int i = 0; i < catIds.length; i++) {
                catIds[i] = categoryIds.get(i);
            }
            CategoryMap categories;
            try {
                categories = new CategoryMap(catIds, categoryNames.toArray(new String[0]));
            } catch (IllegalArgumentException e) {
                throw new DatasetFormatException(source + ": categories: " + e.getMessage());
            }
            // Position lookup for image ids: sort once, binary search per annotation (no boxed map).
            int nImages = builder.numImages();
            long[] imageIds = new long[nImages];
            for (int i = 0; i < nImages; i++) {
                imageIds[i] = builder.imageId(i);
            }
            int[] order = LongOrder.ascending(imageIds);
            long[] sortedIds = new long[nImages];
            for (int i = 0; i < nImages; i++) {
                sortedIds[i] = imageIds[order[i]];
            }
            BoxClipper clipper = new BoxClipper(source, policy);
            float[] box = new float[4];
            int degenerate = 0;
            int noArea = 0;
            for (int a = 0; a < nAnn; a++) {
                int pos = Arrays.binarySearch(sortedIds, annImage[a]);
                if (pos < 0) {
                    throw new DatasetFormatException(source + ": annotation id " + annIds[a] + " (annotations record #"
                            + a + "): field image_id " + annImage[a] + " names no image");
                }
                int image = order[pos];
                int cls = categories.indexOfCategoryId(annCategory[a]);
                if (cls < 0) {
                    throw new DatasetFormatException(source + ": annotation id " + annIds[a] + " (annotations record #"
                            + a + "): field category_id " + annCategory[a] + " is not in categories");
                }
                double x = annBox[4 * a];
                double y = annBox[4 * a + 1];
                double w = annBox[4 * a + 2];
                double h = annBox[4 * a + 3];
                if (!(w >= 0) || !(h >= 0)) {
                    throw new DatasetFormatException(source + ": annotation id " + annIds[a] + " (annotations record #"
                            + a + "): field bbox has negative width or height: [" + x + ", " + y + ", " + w + ", "
                            + h + "]");
                }
                if (w == 0 || h == 0) {
                    degenerate++;
                }
                box[0] = (float) x;
                box[1] = (float) y;
                box[2] = (float) (x + w);
                box[3] = (float) (y + h);
                clipper.apply(box, builder.width(image), builder.height(image), "annotation id " + annIds[a]
                        + " (annotations record #" + a + ", image id " + imageIds[image] + "): field bbox");
                double area = annArea[a];
                if (Double.isNaN(area)) {
                    area = w * h;
                    noArea++;
                }
                builder.addBox(image, box[0], box[1], box[2], box[3], x, y, w, h, cls,
                        annCrowd[a] == 1 ? BoxFlags.CROWD : 0, area, annIds[a]);
            }
            clipper.logSummary();
            if (noArea > 0) {
                // pycocotools would fail on these; COCO's own files always give area (the segment's area)
                log.warn("{}: {} of {} annotations have no area field; using the bbox area w*h (it decides COCO's"
                        + " small/medium/large)", source, noArea, nAnn);
            }
            if (degenerate > 0) {
                log.warn("{}: {} boxes have zero width or height (kept; the iterator does not train on them)",
                        source, degenerate);
            }
            return builder.build(categories);
        }
    }
}
