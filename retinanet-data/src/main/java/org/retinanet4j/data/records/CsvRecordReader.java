package org.retinanet4j.data.records;

import org.datavec.api.conf.Configuration;
import org.datavec.api.split.InputSplit;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.csv.CsvReader;

import java.io.IOException;
import java.nio.file.Path;

/**
 * DataVec reader of a keras-retinanet CSV file ({@code path,x1,y1,x2,y2,class_name}) with its class list
 * ({@code class_name,id}): {@code initialize(new FileSplit(new File("annotations.csv")))} parses it with
 * {@link CsvReader} (same rules and errors; image sizes are read from the image headers).
 */
public class CsvRecordReader extends DetectionRecordReader {

    /** Configuration key: the class list file when the constructor gives none. */
    public static final String CLASSES = "retinanet.csv.classes";

    private final Path classes;
    private final CsvReader parser;

    /** The class list comes from the configuration's {@value #CLASSES}. */
    public CsvRecordReader() {
        this(null, new CsvReader());
    }

    public CsvRecordReader(Path classesCsv) {
        this(classesCsv, new CsvReader());
    }

    public CsvRecordReader(Path classesCsv, CsvReader parser) {
        this.classes = classesCsv;
        this.parser = parser;
    }

    @Override
    protected DetectionDataset read(InputSplit split, Configuration conf) throws IOException {
        Path c = classes != null ? classes : conf.get(CLASSES) != null ? Path.of(conf.get(CLASSES)) : null;
        if (c == null) {
            throw new IllegalArgumentException("CsvRecordReader needs the class list: pass it to the constructor or "
                    + "set " + CLASSES);
        }
        return parser.read(singleLocation(split, "CSV annotations file"), c);
    }
}
