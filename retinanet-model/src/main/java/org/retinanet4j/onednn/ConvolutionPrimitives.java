package org.retinanet4j.onednn;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;
import static org.retinanet4j.onednn.OneDnn.check;
import static org.retinanet4j.onednn.OneDnn.desc;
import static org.retinanet4j.onednn.OneDnn.memory;
import static org.retinanet4j.onednn.OneDnn.point;
import static org.retinanet4j.onednn.OneDnn.same;

/**
 * oneDNN's forward, backward-data and backward-weights primitives for one {@link ConvolutionGeometry}, with the
 * reorders between the plain arrays DL4J passes (NCHW activations, weights in the geometry's layout) and the
 * blocked layouts oneDNN's kernels choose, all built once and reused every iteration.
 *
 * <p>The blocked copy of the input made by the forward pass is kept for the weight gradient (the backward pass
 * reads the same input); it is made again when a backward pass reads another array than the last forward did.
 * The other blocked copies live only during one call and use the thread's {@link Scratch} buffers. Not
 * thread-safe: one per layer instance (DL4J's layers are used by one thread at a time).
 */
public final class ConvolutionPrimitives implements AutoCloseable {
    /** Frees the native objects of primitives nobody closed once they are unreachable (a layer thrown away). */
    private static final Cleaner CLEANER = Cleaner.create();
    private final ConvolutionGeometry geometry;
    /** What {@link #close()} frees, newest first; the lambdas hold the native handles, never {@code this}. */
    private final List<Runnable> cleanup = new ArrayList<>();
    private final Cleaner.Cleanable cleanable;
    // the plain arrays DL4J passes, pointed at anew each call
    private dnnl_memory src;
    private dnnl_memory weights;
    private dnnl_memory bias;
    private dnnl_memory dst;
    private dnnl_memory diffDst;
    private dnnl_memory diffSrc;
    private dnnl_memory diffWeights;
    private dnnl_memory diffBias;
    private final List<Step> forward = new ArrayList<>();
    private final List<Step> backward = new ArrayList<>();
    private final List<Transient> forwardScratch = new ArrayList<>();
    private final List<Transient> backwardScratch = new ArrayList<>();
    /** The forward's reorder of the input into its kept blocked copy (null when the kernel reads the plain input). */
    private Step inputReorder;
    private boolean backwardReusesForwardInput;
    private long forwardInputAddress = -1;

    /**
     * Builds the primitives for {@code g}; throws {@link IllegalStateException} when oneDNN has no implementation
     * for it (the caller then uses libnd4j's ops).
     */
    ConvolutionPrimitives(ConvolutionGeometry g) {
        this.geometry = g;
        this.cleanable = CLEANER.register(this, new Release(cleanup));
        try {
            build(g);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void build(ConvolutionGeometry g) {
        dnnl_memory_desc_t plainSrc = desc(g.src(), dnnl_nchw);
        dnnl_memory_desc_t plainWeights = desc(g.weights(), g.layout().tag());
        dnnl_memory_desc_t plainBias = g.bias() ? desc(new long[]{g.cOut()}, dnnl_x) : null;
        dnnl_memory_desc_t plainDst = desc(g.dst(), dnnl_nchw);
        src = plain(plainSrc);
        weights = plain(plainWeights);
        bias = g.bias() ? plain(plainBias) : null;
        dst = plain(plainDst);
        diffDst = plain(plainDst);
        diffSrc = g.inputGradient() ? plain(plainSrc) : null;
        diffWeights = plain(plainWeights);
        diffBias = g.bias() ? plain(plainBias) : null;

        dnnl_memory_desc_t anySrc = desc(g.src(), dnnl_format_tag_any);
        dnnl_memory_desc_t anyWeights = desc(g.weights(), dnnl_format_tag_any);
        dnnl_memory_desc_t anyDst = desc(g.dst(), dnnl_format_tag_any);

        // forward
        dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
        check(dnnl_dilated_convolution_forward_desc_init(fd, dnnl_forward_training, dnnl_convolution_direct, anySrc,
                anyWeights, plainBias, anyDst, g.strides(), g.dilation(), g.padding(), g.padding()), "describing " + g);
        dnnl_primitive_desc fpd = primitiveDesc(fd, g.relu() ? reluAttr() : null, null);
        dnnl_memory_desc_t fSrcDesc = query(fpd, dnnl_query_src_md);
        dnnl_memory fSrc = src;
        if (!same(fSrcDesc, plainSrc)) {
            fSrc = kept(fSrcDesc);
            inputReorder = reorder(src, plainSrc, fSrc, fSrcDesc);
            forward.add(inputReorder);
        }
        dnnl_memory fWeights = into(forward, forwardScratch, Scratch.Slot.WEIGHTS, weights, plainWeights,
                query(fpd, dnnl_query_weights_md));
        dnnl_memory_desc_t fDstDesc = query(fpd, dnnl_query_dst_md);
        dnnl_memory fDst = same(fDstDesc, plainDst) ? dst : scratch(forwardScratch, Scratch.Slot.OUTPUT, fDstDesc);
        forward.add(step(primitive(fpd), DNNL_ARG_SRC, fSrc, DNNL_ARG_WEIGHTS, fWeights, DNNL_ARG_BIAS, bias,
                DNNL_ARG_DST, fDst));
        if (fDst != dst) {
            forward.add(reorder(fDst, fDstDesc, dst, plainDst));
        }

        // backward: input gradient
        dnnl_memory_desc_t dDiffDstDesc = null;
        dnnl_memory dDiffDst = null;
        if (g.inputGradient()) {
            dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
            check(dnnl_dilated_convolution_backward_data_desc_init(dd, dnnl_convolution_direct, anySrc, anyWeights,
                    anyDst, g.strides(), g.dilation(), g.padding(), g.padding()), "describing backward data " + g);
            dnnl_primitive_desc dpd = primitiveDesc(dd, null, fpd);
            dDiffDstDesc = query(dpd, dnnl_query_diff_dst_md);
            dDiffDst = into(backward, backwardScratch, Scratch.Slot.OUTPUT_GRADIENT, diffDst, plainDst, dDiffDstDesc);
            dnnl_memory dWeights = into(backward, backwardScratch, Scratch.Slot.WEIGHTS_BACKWARD, weights,
                    plainWeights, query(dpd, dnnl_query_weights_md));
            dnnl_memory_desc_t dSrcDesc = query(dpd, dnnl_query_diff_src_md);
            dnnl_memory dSrc = same(dSrcDesc, plainSrc) ? diffSrc
                    : scratch(backwardScratch, Scratch.Slot.INPUT_GRADIENT, dSrcDesc);
            backward.add(step(primitive(dpd), DNNL_ARG_DIFF_DST, dDiffDst, DNNL_ARG_WEIGHTS, dWeights,
                    DNNL_ARG_DIFF_SRC, dSrc));
            if (dSrc != diffSrc) {
                backward.add(reorder(dSrc, dSrcDesc, diffSrc, plainSrc));
            }
        }

        // backward: weight (and bias) gradient
        dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
        check(dnnl_dilated_convolution_backward_weights_desc_init(wd, dnnl_convolution_direct, anySrc, anyWeights,
                plainBias, anyDst, g.strides(), g.dilation(), g.padding(), g.padding()), "describing backward weights " + g);
        dnnl_primitive_desc wpd = primitiveDesc(wd, null, fpd);
        dnnl_memory_desc_t wSrcDesc = query(wpd, dnnl_query_src_md);
        dnnl_memory wSrc;
        if (inputReorder != null && same(wSrcDesc, fSrcDesc)) {
            wSrc = fSrc;
            backwardReusesForwardInput = true;
        } else {
            wSrc = into(backward, backwardScratch, Scratch.Slot.INPUT_BACKWARD, src, plainSrc, wSrcDesc);
        }
        dnnl_memory_desc_t wDiffDstDesc = query(wpd, dnnl_query_diff_dst_md);
        dnnl_memory wDiffDst = dDiffDst != null && same(wDiffDstDesc, dDiffDstDesc) ? dDiffDst
                : into(backward, backwardScratch, Scratch.Slot.OUTPUT_GRADIENT_WEIGHTS, diffDst, plainDst, wDiffDstDesc);
        dnnl_memory_desc_t wDiffWeightsDesc = query(wpd, dnnl_query_diff_weights_md);
        dnnl_memory wDiffWeights = same(wDiffWeightsDesc, plainWeights) ? diffWeights
                : scratch(backwardScratch, Scratch.Slot.WEIGHT_GRADIENT, wDiffWeightsDesc);
        backward.add(step(primitive(wpd), DNNL_ARG_SRC, wSrc, DNNL_ARG_DIFF_DST, wDiffDst,
                DNNL_ARG_DIFF_WEIGHTS, wDiffWeights, DNNL_ARG_DIFF_BIAS, diffBias));
        if (wDiffWeights != diffWeights) {
            backward.add(reorder(wDiffWeights, wDiffWeightsDesc, diffWeights, plainWeights));
        }
    }

    /** {@code y = conv(x, w) + b} (then ReLU when the geometry says so), into {@code y} [n, cOut, outH, outW]. */
    public void forward(INDArray x, INDArray w, INDArray b, INDArray y) {
        point(src, x, "convolution input");
        point(weights, w, "convolution weights");
        if (bias != null) {
            point(bias, b, "convolution bias");
        }
        point(dst, y, "convolution output");
        run(forwardScratch, forward);
        forwardInputAddress = x.data().addressPointer().address();
    }

    /**
     * Gradients for the output gradient {@code dy}: {@code dx} (null unless the geometry computes the input
     * gradient), {@code dw} (the weights' shape and layout) and {@code db} [cOut] (null without bias), overwritten.
     */
    public void backward(INDArray x, INDArray w, INDArray dy, INDArray dx, INDArray dw, INDArray db) {
        point(src, x, "convolution input");
        point(weights, w, "convolution weights");
        point(diffDst, dy, "output gradient");
        if (diffSrc != null) {
            point(diffSrc, dx, "input gradient");
        }
        point(diffWeights, dw, "weight gradient");
        if (diffBias != null) {
            point(diffBias, db, "bias gradient");
        }
        if (backwardReusesForwardInput && x.data().addressPointer().address() != forwardInputAddress) {
            inputReorder.run(); // no forward pass over this input just before: make the blocked copy again
        }
        run(backwardScratch, backward);
        forwardInputAddress = -1;
    }

    @Override
    public void close() {
        cleanable.clean();
    }

    /** Runs the cleanup steps once, newest first. */
    private record Release(List<Runnable> steps) implements Runnable {
        @Override
        public void run() {
            for (int i = steps.size() - 1; i >= 0; i--) {
                steps.get(i).run();
            }
            steps.clear();
        }
    }

    private static void run(List<Transient> scratch, List<Step> steps) {
        for (Transient t : scratch) {
            check(dnnl_memory_set_data_handle(t.memory, Scratch.buffer(t.slot, t.bytes)), "pointing at scratch");
        }
        for (Step s : steps) {
            s.run();
        }
        check(dnnl_stream_wait(OneDnn.stream()), "waiting for a convolution");
    }

    private static dnnl_memory_desc_t query(dnnl_primitive_desc pd, int what) {
        return dnnl_primitive_desc_query_md(pd, what, 0);
    }

    private dnnl_memory plain(dnnl_memory_desc_t d) {
        dnnl_memory m = memory(d, null);
        cleanup.add(() -> dnnl_memory_destroy(m));
        return m;
    }

    /** A blocked copy with a buffer of its own (it outlives the call that fills it). */
    private dnnl_memory kept(dnnl_memory_desc_t d) {
        BytePointer buffer = new BytePointer(dnnl_memory_desc_get_size(d));
        dnnl_memory m = memory(d, buffer);
        cleanup.add(() -> {
            dnnl_memory_destroy(m);
            buffer.close();
        });
        return m;
    }

    /** A blocked copy in the thread's scratch buffer {@code slot}, pointed at when its call starts. */
    private dnnl_memory scratch(List<Transient> list, Scratch.Slot slot, dnnl_memory_desc_t d) {
        dnnl_memory m = plain(d);
        list.add(new Transient(m, slot, dnnl_memory_desc_get_size(d)));
        return m;
    }

    /** {@code from} itself when the kernel reads its layout, else a scratch copy made by a step added to {@code steps}. */
    private dnnl_memory into(List<Step> steps, List<Transient> list, Scratch.Slot slot, dnnl_memory from,
                             dnnl_memory_desc_t fromDesc, dnnl_memory_desc_t wanted) {
        if (same(fromDesc, wanted)) {
            return from;
        }
        dnnl_memory to = scratch(list, slot, wanted);
        steps.add(reorder(from, fromDesc, to, wanted));
        return to;
    }

    private Step reorder(dnnl_memory from, dnnl_memory_desc_t fromDesc, dnnl_memory to, dnnl_memory_desc_t toDesc) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, fromDesc, OneDnn.engine(), toDesc, OneDnn.engine(), null), "creating a reorder");
        cleanup.add(() -> dnnl_primitive_desc_destroy(pd));
        return step(primitive(pd), DNNL_ARG_FROM, from, DNNL_ARG_TO, to);
    }

    private dnnl_primitive_desc primitiveDesc(dnnl_convolution_desc_t d, dnnl_primitive_attr attr, dnnl_primitive_desc hint) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), attr, OneDnn.engine(), hint),
                "finding a kernel for " + geometry);
        cleanup.add(() -> dnnl_primitive_desc_destroy(pd));
        return pd;
    }

    private dnnl_primitive_attr reluAttr() {
        dnnl_post_ops ops = new dnnl_post_ops();
        check(dnnl_post_ops_create(ops), "creating post-ops");
        cleanup.add(() -> dnnl_post_ops_destroy(ops));
        check(dnnl_post_ops_append_eltwise(ops, 1f, dnnl_eltwise_relu, 0f, 0f), "appending a ReLU");
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "creating attributes");
        cleanup.add(() -> dnnl_primitive_attr_destroy(attr));
        check(dnnl_primitive_attr_set_post_ops(attr, ops), "setting post-ops");
        return attr;
    }

    private dnnl_primitive primitive(dnnl_primitive_desc pd) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), "creating a primitive for " + geometry);
        cleanup.add(() -> dnnl_primitive_destroy(p));
        return p;
    }

    /** A primitive with its arguments (pairs of argument kind and memory; a null memory is left out). */
    private Step step(dnnl_primitive p, Object... kindsAndMemories) {
        List<Object> present = new ArrayList<>();
        for (int i = 0; i < kindsAndMemories.length; i += 2) {
            if (kindsAndMemories[i + 1] != null) {
                present.add(kindsAndMemories[i]);
                present.add(kindsAndMemories[i + 1]);
            }
        }
        int count = present.size() / 2;
        dnnl_exec_arg_t args = new dnnl_exec_arg_t(count);
        for (int i = 0; i < count; i++) {
            args.position(i).arg((Integer) present.get(2 * i)).memory((dnnl_memory) present.get(2 * i + 1));
        }
        args.position(0);
        cleanup.add(args::close);
        return new Step(p, args, count);
    }

    private record Step(dnnl_primitive primitive, dnnl_exec_arg_t args, int count) implements Runnable {
        @Override
        public void run() {
            check(dnnl_primitive_execute(primitive, OneDnn.stream(), count, args), "running a convolution");
        }
    }

    /** A memory object whose buffer is a scratch slot. */
    private record Transient(dnnl_memory memory, Scratch.Slot slot, long bytes) {
    }
}
