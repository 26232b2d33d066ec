package org.retinanet4j.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** Loads the fixtures written by tools/make_coco_eval_fixtures.py (pycocotools' own numbers). */
final class CocoFixtures {
    static final String ROOT = "/fixtures/coco-eval/";

    private CocoFixtures() {
    }

    static CocoGroundTruth groundTruth(String name) {
        try (InputStream in = open(name, "gt.json")) {
            return CocoGroundTruthReader.read(in, name + "/gt.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CocoDetections detections(String name, CocoGroundTruth gt) {
        try (InputStream in = open(name, "dt.json")) {
            return CocoResultsReader.read(in, name + "/dt.json", gt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CocoEvalResult evaluate(String name) {
        CocoGroundTruth gt = groundTruth(name);
        return new CocoEvaluator().evaluate(gt, detections(name, gt));
    }

    /** expected.json: section ("stats" or "perCategoryAP") to name to value. */
    static Map<String, Map<String, Double>> expected(String name) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        String file = name.endsWith("-gt") ? null : "expected.json";
        try (InputStream in = file == null ? open(name + ".json") : open(name, file); JsonParser p = new JsonFactory().createParser(in)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String section = p.currentName();
                p.nextToken();
                Map<String, Double> values = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    values.put(key, p.getDoubleValue());
                }
                out.put(section, values);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static InputStream open(String name, String file) {
        return open(name + "/" + file);
    }

    private static InputStream open(String path) {
        InputStream in = CocoFixtures.class.getResourceAsStream(ROOT + path);
        if (in == null) {
            throw new IllegalStateException("missing fixture " + ROOT + path);
        }
        return in;
    }
}
