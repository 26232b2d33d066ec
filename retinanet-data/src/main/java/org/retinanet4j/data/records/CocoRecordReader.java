package org.retinanet4j.data.records;

import org.datavec.api.conf.Configuration;
import org.datavec.api.split.InputSplit;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;

import java.io.IOException;
import java.nio.file.Path;

/**
 * DataVec reader of a COCO instances file: {@code initialize(new FileSplit(new File("instances_train.json")))}
 * parses it with {@link CocoInstancesReader} (same rules and errors); images are looked up under the folder given
 * to the constructor, or the configuration's {@value #IMAGE_ROOT}, or the JSON file's own folder.
 */
public class CocoRecordReader extends DetectionRecordReader {

    /** Configuration key: folder the images' {@code file_name}s are relative to. */
    public static final String IMAGE_ROOT = "retinanet.coco.imageRoot";

    private final Path imageRoot;
    private final CocoInstancesReader parser;

    /** Images next to the JSON file (or under {@value #IMAGE_ROOT} when the configuration sets it). */
    public CocoRecordReader() {
        this(null, new CocoInstancesReader());
    }

    public CocoRecordReader(Path imageRoot) {
        this(imageRoot, new CocoInstancesReader());
    }

    public CocoRecordReader(Path imageRoot, CocoInstancesReader parser) {
        this.imageRoot = imageRoot;
        this.parser = parser;
    }

    @Override
    protected DetectionDataset read(InputSplit split, Configuration conf) throws IOException {
        Path json = singleLocation(split, "COCO instances file");
        Path root = imageRoot;
        if (root == null && conf.get(IMAGE_ROOT) != null) {
            root = Path.of(conf.get(IMAGE_ROOT));
        }
        if (root == null) {
            root = json.toAbsolutePath().getParent();
        }
        return parser.read(json, root);
    }
}
