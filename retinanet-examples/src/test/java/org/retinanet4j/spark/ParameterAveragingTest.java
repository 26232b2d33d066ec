package org.retinanet4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.train.OptimizationRecipe;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.TrainerConfig;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What DL4J's {@code ParameterAveragingTrainingMaster} promises, checked against an independent computation. Its
 * source (dl4j-spark 1.0.0-M2): each split broadcasts the driver's configuration, parameters and updater state;
 * every worker rebuilds a plain {@code ComputationGraph} from them and fits its {@code averagingFrequency} batches in
 * partition order; the driver sets the mean of the workers' parameters and, with {@code saveUpdater(true)}, the mean
 * of their updater states, and adds {@code averagingFrequency} to the iteration count. A partitioning that is
 * already balanced (one partition of {@code averagingFrequency} batches per worker) is kept as it is. One thing it
 * does not do by itself: the workers' rebuilt networks start at iteration 0 ({@code ComputationGraphConfiguration
 * .clone()} drops the count); {@link IterationCountHook} makes them continue from the driver's, as the promise
 * of averaging "one step of the combined batch" needs once schedules and Adam's bias correction are involved.
 */
class ParameterAveragingTest extends LocalSpark {

    @TempDir
    static Path dir;

    private static double relativeDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue() / Math.max(1e-12, b.amaxNumber().doubleValue());
    }

    private static ComputationGraph startingFrom(ComputationGraph start) {
        ComputationGraph g = start.clone();
        g.getConfiguration().setIterationCount(start.getConfiguration().getIterationCount());
        g.getConfiguration().setEpochCount(start.getConfiguration().getEpochCount());
        return g;
    }

    @Test
    void oneAveragingRoundEqualsTheMeanOfTheWorkersFittedIndependently() throws Exception {
        DetectionDataset d = SparkFixtures.shapes(dir.resolve("shapes"), 10, 3);
        ModelMetadata md = SparkFixtures.metadata(d);
        RecordBatches records = new RecordBatches(sc, sc.parallelize(SparkFixtures.records(d), 2), 2,
                BatchRecipe.forTraining(md.spec(), 5), "shapes");
        // the first round's batches as SparkTrainer hands them to DL4J: built on the executors, two partitions;
        // cached (at the storage level DL4J's master persists with), so that the independent computation sees
        // exactly the partitions that Spark trains on
        JavaRDD<MultiDataSet> round = records.batches(0, 0, 4).persist(StorageLevel.MEMORY_ONLY_SER());
        List<List<MultiDataSet>> partitions = round.glom().collect();
        assertEquals(2, partitions.size());
        assertEquals(List.of(2, 2), partitions.stream().map(List::size).toList(),
                "balanced: DL4J keeps this split as it is (one partition of averagingFrequency batches per worker)");
        MultiDataSet warmUp = records.batches(0, 4, 5).collect().get(0);

        ComputationGraph start = SparkFixtures.smallGraph(d.categories().size(), 11);
        // Adam under a warm-up schedule: the step depends on the iteration count, which workers must continue from
        OptimizationRecipe.apply(start, TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3)
                .weightDecay(0).warmup(10, 0.1).maxIterations(100).build());
        start.fit(warmUp);              // Adam's moments are non-zero when the round starts: their averaging counts
        int iterationsBefore = start.getConfiguration().getIterationCount();
        assertEquals(1, iterationsBefore);

        // independently: one plain graph per partition from the same start (clone() drops the iteration count: set
        // it back), fitting that partition's batches in order, then the mean
        ComputationGraph w0 = startingFrom(start);
        partitions.get(0).forEach(w0::fit);
        ComputationGraph w1 = startingFrom(start);
        partitions.get(1).forEach(w1::fit);
        INDArray meanParams = w0.params().add(w1.params()).divi(2);
        INDArray meanState = w0.getUpdater().getStateViewArray().add(w1.getUpdater().getStateViewArray()).divi(2);

        // on Spark: two workers, averaging after two batches each
        ComputationGraph driver = startingFrom(start);
        SparkComputationGraph spark = new SparkComputationGraph(sc, driver,
                TrainingMasters.parameterAveraging(2, 2, 2, 1, driver));
        spark.fitMultiDataSet(round);
        ComputationGraph averaged = spark.getNetwork();
        round.unpersist();
        records.release();

        assertTrue(relativeDifference(w0.params(), w1.params()) > 1e-3, "the workers' results differ");
        assertTrue(relativeDifference(meanParams, start.params()) > 1e-3, "the round moved the parameters");
        double params = relativeDifference(averaged.params(), meanParams);
        double state = relativeDifference(averaged.getUpdater().getStateViewArray(), meanState);
        // bit for bit: with two workers DL4J's sum-then-divide is the same float arithmetic as (w0 + w1) / 2
        assertEquals(0.0, params, "parameters: mean of the workers' vs Spark's, largest difference / largest value");
        assertEquals(0.0, state, "updater state: mean of the workers' vs Spark's, largest difference / largest value");
        assertEquals(iterationsBefore + 2, averaged.getConfiguration().getIterationCount());
    }
}
