package org.retinanet4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.datavec.api.records.reader.RecordReader;
import org.datavec.api.writable.Writable;

import java.util.ArrayList;
import java.util.List;

/**
 * An RDD of training records from a DataVec reader read on the driver. The records are the light part of the
 * data (image paths, boxes, classes, ids: a few hundred bytes each), so COCO train2017's 118,000 fit easily; the
 * images are opened by the executors, which must see the same paths (a shared file system), unless the records
 * carry the image bytes. Datasets too large for the driver build their RDD on the executors instead (for example
 * with {@code sc.binaryFiles} or a {@code textFile} of annotations mapped to records).
 */
public final class SparkRecords {

    private SparkRecords() {
    }

    /** Every record of {@code reader} (initialised), spread over {@code partitions} partitions. */
    public static JavaRDD<List<Writable>> of(JavaSparkContext sc, RecordReader reader, int partitions) {
        List<List<Writable>> records = new ArrayList<>();
        while (reader.hasNext()) {
            records.add(reader.next());
        }
        return sc.parallelize(records, Math.max(1, partitions));
    }
}
