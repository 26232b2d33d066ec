package org.retinanet4j.backbone;

/** Names of the graph vertices holding C3, C4, C5 and their channel counts. */
public record BackboneFeatures(String c3, String c4, String c5, int c3Channels, int c4Channels, int c5Channels) {
}
