package org.retinanet4j.train;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Where a run stands: iterations done, the epoch and the number of batches of that epoch already consumed, and the
 * seed that fixes the data order of every epoch (the order of epoch e depends on (seed, e) alone, so resuming at
 * (epoch, batchInEpoch) replays exactly the batches an uninterrupted run would have seen).
 */
public record TrainingState(int iteration, int epoch, int batchInEpoch, long seed, long imagesSeen,
                            int skippedBatches) {
    private static final JsonFactory JSON = new JsonFactory();

    public static TrainingState start(long seed) {
        return new TrainingState(0, 0, 0, seed, 0, 0);
    }

    /** After one more batch of {@code images} images. */
    public TrainingState afterBatch(int images) {
        return new TrainingState(iteration + 1, epoch, batchInEpoch + 1, seed, imagesSeen + images, skippedBatches);
    }

    /** After a skipped batch: it counts as consumed data, not as an iteration. */
    public TrainingState afterSkippedBatch() {
        return new TrainingState(iteration, epoch, batchInEpoch + 1, seed, imagesSeen, skippedBatches + 1);
    }

    public TrainingState nextEpoch() {
        return new TrainingState(iteration, epoch + 1, 0, seed, imagesSeen, skippedBatches);
    }

    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("iteration", iteration);
            g.writeNumberField("epoch", epoch);
            g.writeNumberField("batchInEpoch", batchInEpoch);
            g.writeNumberField("seed", seed);
            g.writeNumberField("imagesSeen", imagesSeen);
            g.writeNumberField("skippedBatches", skippedBatches);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    public static TrainingState fromJson(byte[] json, String source) throws IOException {
        long[] v = {-1, -1, -1, 0, 0, 0};
        String[] names = {"iteration", "epoch", "batchInEpoch", "seed", "imagesSeen", "skippedBatches"};
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(source + ": training state is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                for (int i = 0; i < names.length; i++) {
                    if (names[i].equals(f)) {
                        v[i] = p.getLongValue();
                    }
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            if (v[i] < 0) {
                throw new IOException(source + ": training state field '" + names[i] + "' is missing");
            }
        }
        return new TrainingState((int) v[0], (int) v[1], (int) v[2], v[3], v[4], (int) v[5]);
    }
}
