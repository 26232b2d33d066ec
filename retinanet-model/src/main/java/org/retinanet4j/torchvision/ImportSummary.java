package org.retinanet4j.torchvision;

import java.util.List;

/**
 * What an import did.
 *
 * @param tensorsImported torchvision tensors written into the graph
 * @param skipped         torchvision tensors deliberately not imported (backbone-only import; bookkeeping)
 * @param batchNormsFolded BatchNorms folded into their convolution (FROZEN graphs)
 * @param bnEps           the BatchNorm eps used
 */
public record ImportSummary(int tensorsImported, List<String> skipped, int batchNormsFolded, double bnEps) {
}
