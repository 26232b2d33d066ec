package org.retinanet4j.torchvision.pth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Without torch: small files written by {@code torch.save} (tools/make_import_fixtures.py tiny, committed under
 * fixtures/pth) read back in Java with torch's values, in both of torch's formats; files that are not state dicts
 * or are cut short are refused with a message naming the file and saying what was found.
 */
class PthReaderTest {

    /** The state dict's names in the order torch.save wrote them. */
    private static final List<String> NAMES = List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
            "1.running_var", "1.num_batches_tracked", "extra.float64", "extra.view", "extra.half", "extra.transposed");

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(PthReaderTest.class.getResource("/fixtures/pth/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test fixture fixtures/pth/" + name + " missing", e);
        }
    }

    private static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).reshape(a.length()).toFloatVector();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny.pth", "tiny_legacy.pth"})
    void readsTorchsValuesInFileOrder(String file) throws Exception {
        Map<String, INDArray> sd = PthReader.readStateDict(fixture(file));
        assertEquals(NAMES, List.copyOf(sd.keySet()));
        INDArray w = sd.get("0.weight");
        assertArrayEquals(new long[]{2, 3, 1, 1}, w.shape());
        assertEquals(DataType.FLOAT, w.dataType());
        assertArrayEquals(new float[]{0, 0.5f, 1, 1.5f, 2, 2.5f}, floats(w));
        assertArrayEquals(new float[]{-1, 2}, floats(sd.get("0.bias")));
        assertArrayEquals(new float[]{1.5f, 0.25f}, floats(sd.get("1.weight")));
        assertArrayEquals(new float[]{0, -0.5f}, floats(sd.get("1.bias")));
        assertArrayEquals(new float[]{0.1f, 0.2f}, floats(sd.get("1.running_mean")));
        assertArrayEquals(new float[]{1, 4}, floats(sd.get("1.running_var")));
        INDArray tracked = sd.get("1.num_batches_tracked");
        assertEquals(0, tracked.rank(), "an int64 scalar");
        assertEquals(DataType.LONG, tracked.dataType());
        assertEquals(7L, tracked.getLong(0));
        // float64 storage shared by two tensors; the second starts at element 2
        assertArrayEquals(new float[]{0, 1, 2, 3}, floats(sd.get("extra.float64")));
        assertArrayEquals(new float[]{2, 3, 4}, floats(sd.get("extra.view")));
        assertArrayEquals(new float[]{1.5f, -2}, floats(sd.get("extra.half")));
        // arange(6).reshape(2, 3).t(): strides (1, 3), read in C order
        INDArray t = sd.get("extra.transposed");
        assertArrayEquals(new long[]{3, 2}, t.shape());
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, floats(t));
    }

    @Test
    void halfPrecisionConvertsExactly() {
        assertEquals(1.0f, TorchDtype.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, TorchDtype.halfToFloat((short) 0xc000));
        assertEquals(65504f, TorchDtype.halfToFloat((short) 0x7bff));
        assertEquals((float) Math.pow(2, -24), TorchDtype.halfToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(Float.POSITIVE_INFINITY, TorchDtype.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(TorchDtype.halfToFloat((short) 0x7e00)));
    }

    private IOException refused(Path file, String... expected) {
        IOException e = assertThrows(IOException.class, () -> PthReader.readStateDict(file));
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), "says '" + s + "': " + e.getMessage());
        }
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void aPickledListIsNotAStateDict() {
        refused(fixture("list.pth"), "not a state dict", "a list of 3 items");
    }

    @Test
    void aCheckpointSaysWhereItsTensorsAre() {
        refused(fixture("checkpoint.pth"), "not a state dict", "under 'model'", "11 tensors",
                "torch.save(checkpoint['model'], f)");
    }

    @Test
    void aWholePickledModelIsNamed() {
        refused(fixture("whole_model.pth"), "not a state dict", "torch.nn.modules.container.Sequential",
                "model.state_dict()");
    }

    @Test
    void truncatedFilesAreRefused() throws Exception {
        byte[] zip = Files.readAllBytes(fixture("tiny.pth"));
        Path cutZip = Files.write(tmp.resolve("cut.pth"), Arrays.copyOf(zip, zip.length / 2));
        refused(cutZip, "truncated");

        byte[] legacy = Files.readAllBytes(fixture("tiny_legacy.pth"));
        Path inStorage = Files.write(tmp.resolve("cut_storage.pth"), Arrays.copyOf(legacy, legacy.length - 10));
        refused(inStorage, "truncated", "the file ends inside storage", "of tensor '");   // legacy keys: pointer order
        Path inPickle = Files.write(tmp.resolve("cut_pickle.pth"), Arrays.copyOf(legacy, 200));
        refused(inPickle, "truncated");
    }

    @Test
    void otherFilesAreNotTorchFiles() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.pth"), "hello, not a tensor file");
        refused(text, "not a torch.save file");
    }
}
