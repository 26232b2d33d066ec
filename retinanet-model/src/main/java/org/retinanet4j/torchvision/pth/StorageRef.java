package org.retinanet4j.torchvision.pth;

/**
 * A storage as a {@code .pth} file's pickle names it (its persistent id): the key of its bytes ({@code data/<key>}
 * in torch's zip format, the key list of the legacy format), the element type and the element count.
 */
record StorageRef(String key, TorchDtype dtype, long numel) {
}
