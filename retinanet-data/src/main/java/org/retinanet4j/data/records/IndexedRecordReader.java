package org.retinanet4j.data.records;

import org.datavec.api.records.reader.RecordReader;
import org.datavec.api.writable.Writable;

import java.util.List;

/**
 * A DataVec {@link RecordReader} that also reads any record by position without reading the ones before it. The
 * training iterator uses this to shuffle per epoch, to load batches on several threads, and to resume at any batch
 * without touching the images before it; a plain {@code RecordReader} is read in its own order instead.
 * The COCO, VOC and CSV readers ({@link DetectionRecordReader} and its subclasses) implement it.
 */
public interface IndexedRecordReader extends RecordReader {

    /** Records available after {@code initialize(...)}. */
    int numRecords();

    /** Record {@code index} (0-based), in {@link DetectionRecord}'s layout. Thread-safe. */
    List<Writable> record(int index);
}
