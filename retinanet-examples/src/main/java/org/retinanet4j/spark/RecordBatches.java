package org.retinanet4j.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.datavec.api.writable.Writable;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.data.iterator.BatchLoader;
import org.retinanet4j.data.iterator.EpochOrder;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * The training records on the cluster, batched per epoch as local training batches them. Records (in
 * {@code DetectionRecord}'s layout: image paths or bytes, boxes, classes, ids) are numbered once and cached on the
 * executors; for each epoch the driver computes the seeded order ({@link EpochOrder}: the local iterator's) as one
 * int per record and broadcasts it, the records are grouped into their batches on the executors, and each batch
 * becomes a {@code MultiDataSet} there through the {@link BatchRecipe}'s {@link BatchLoader}: the one that local
 * training runs, with the same flips. The driver never decodes or holds an image.
 *
 * <p>Batch k of epoch e holds the same records, flipped the same way, as the local iterator's batch k of epoch e,
 * with one difference: a short last batch is filled up with the first records of the epoch's order, so every batch
 * has the batch size (DL4J's Spark workers merge and split minibatches to that size, which would mix images of
 * different padded sizes).
 */
public final class RecordBatches {

    private final JavaSparkContext sc;
    private final JavaPairRDD<Long, List<Writable>> numbered;
    private final long count;
    private final int batchSize;
    private final BatchRecipe recipe;
    private final String source;

    /**
     * @param records the training records; numbered in their RDD order and cached (memory, then disk)
     * @param source  names the records in messages, e.g. the annotation file
     */
    public RecordBatches(JavaSparkContext sc, JavaRDD<List<Writable>> records, int batchSize, BatchRecipe recipe,
                         String source) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.sc = sc;
        this.batchSize = batchSize;
        this.recipe = recipe;
        this.source = source;
        this.numbered = records.zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        this.count = numbered.count();
        if (count == 0) {
            throw new IllegalArgumentException(source + ": no training records");
        }
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(source + ": " + count + " records; at most " + Integer.MAX_VALUE);
        }
    }

    public long numRecords() {
        return count;
    }

    public int batchSize() {
        return batchSize;
    }

    public int batchesPerEpoch() {
        return (int) ((count + batchSize - 1) / batchSize);
    }

    /** Batches {@code from} (inclusive) to {@code to} (exclusive) of epoch {@code epoch}, built on the executors. */
    public JavaRDD<MultiDataSet> batches(int epoch, int from, int to) {
        if (from < 0 || to > batchesPerEpoch() || from >= to) {
            throw new IllegalArgumentException("batches " + from + ".." + to + " of an epoch of " + batchesPerEpoch());
        }
        int n = (int) count;
        int[] order = EpochOrder.of(n, true, recipe.seed(), epoch);
        int[] slotOf = new int[n];
        for (int slot = 0; slot < n; slot++) {
            slotOf[order[slot]] = slot;
        }
        Broadcast<int[]> slots = sc.broadcast(slotOf);
        JavaPairRDD<Integer, Tuple2<Integer, Tuple2<Long, List<Writable>>>> keyed =
                numbered.flatMapToPair(new SlotAssigner(slots, n, batchSize, (long) from * batchSize,
                        (long) to * batchSize));
        int partitions = Math.max(1, Math.min(to - from, sc.defaultParallelism()));
        return keyed.groupByKey(partitions).mapPartitions(new BatchBuilder(recipe, epoch, source));
    }

    /** Drops the cached records. */
    public void release() {
        numbered.unpersist(false);
    }

    /** Sends each record to the batch (or, for the filled-up last batch, batches) its slot in the epoch falls in. */
    private record SlotAssigner(Broadcast<int[]> slots, int n, int batchSize, long fromSlot, long toSlot)
            implements PairFlatMapFunction<Tuple2<Long, List<Writable>>, Integer,
            Tuple2<Integer, Tuple2<Long, List<Writable>>>> {

        @Override
        public Iterator<Tuple2<Integer, Tuple2<Integer, Tuple2<Long, List<Writable>>>>> call(
                Tuple2<Long, List<Writable>> record) {
            List<Tuple2<Integer, Tuple2<Integer, Tuple2<Long, List<Writable>>>>> out = new ArrayList<>(2);
            int slot = slots.value()[(int) (long) record._1()];
            for (long s = slot; s < toSlot; s += n) {      // s >= n: a repeat that fills the last batch
                if (s >= fromSlot) {
                    out.add(new Tuple2<>((int) (s / batchSize), new Tuple2<>((int) s, record)));
                }
            }
            return out.iterator();
        }
    }

    /** Builds each batch's {@code MultiDataSet} with one {@link BatchLoader} per partition. */
    private record BatchBuilder(BatchRecipe recipe, int epoch, String source)
            implements FlatMapFunction<Iterator<Tuple2<Integer, Iterable<Tuple2<Integer, Tuple2<Long,
            List<Writable>>>>>>, MultiDataSet> {

        @Override
        public Iterator<MultiDataSet> call(Iterator<Tuple2<Integer, Iterable<Tuple2<Integer, Tuple2<Long,
                List<Writable>>>>>> batches) {
            BatchLoader loader = recipe.newLoader(source);
            return new Iterator<>() {
                private MultiDataSet next;
                private boolean summarised;

                @Override
                public boolean hasNext() {
                    while (next == null && batches.hasNext()) {
                        next = build(loader, batches.next());   // null when every image of the batch was skipped
                    }
                    if (next == null && !summarised) {           // the partition is done: its skips in one line
                        summarised = true;
                        loader.summarise("epoch " + epoch + " of " + source + " (one partition)");
                    }
                    return next != null;
                }

                @Override
                public MultiDataSet next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    MultiDataSet out = next;
                    next = null;
                    return out;
                }
            };
        }

        private MultiDataSet build(BatchLoader loader,
                                   Tuple2<Integer, Iterable<Tuple2<Integer, Tuple2<Long, List<Writable>>>>> batch) {
            List<Tuple2<Integer, Tuple2<Long, List<Writable>>>> members = new ArrayList<>();
            batch._2().forEach(members::add);
            members.sort(Comparator.comparingInt(Tuple2::_1));
            int[] positions = new int[members.size()];
            List<List<Writable>> records = new ArrayList<>(members.size());
            for (int k = 0; k < positions.length; k++) {
                positions[k] = (int) (long) members.get(k)._2()._1();
                records.add(members.get(k)._2()._2());
            }
            return loader.load(epoch, batch._1(), positions, records);
        }
    }
}
