package org.retinanet4j.data.records;

import org.datavec.api.conf.Configuration;
import org.datavec.api.split.InputSplit;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.voc.VocReader;

import java.io.IOException;

/**
 * DataVec reader of a Pascal VOC folder ({@code Annotations/}, {@code JPEGImages/}, {@code ImageSets/Main/}):
 * {@code initialize(new CollectionInputSplit(List.of(vocRoot.toUri())))} (or a {@code FileSplit} of the folder,
 * which lists every file in it first) parses it with {@link VocReader} (same rules and errors).
 */
public class VocRecordReader extends DetectionRecordReader {

    /** Configuration key: the split ({@code ImageSets/Main/<split>.txt}) when the constructor gives none. */
    public static final String SPLIT = "retinanet.voc.split";

    private final String split;
    private final VocReader parser;

    /** Every XML file (or the configuration's {@value #SPLIT}). */
    public VocRecordReader() {
        this(null, new VocReader());
    }

    /** @param split the split name, e.g. {@code "trainval"}; null for every XML file */
    public VocRecordReader(String split) {
        this(split, new VocReader());
    }

    public VocRecordReader(String split, VocReader parser) {
        this.split = split;
        this.parser = parser;
    }

    @Override
    protected DetectionDataset read(InputSplit inputSplit, Configuration conf) throws IOException {
        String s = split != null ? split : conf.get(SPLIT);
        return parser.read(singleLocation(inputSplit, "VOC folder"), s);
    }
}
