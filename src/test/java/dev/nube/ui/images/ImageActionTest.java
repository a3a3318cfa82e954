package dev.nube.ui.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageState;
import dev.nube.engine.compute.instances.InstanceType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which actions the console offers for an image as the engine's contract states them (a pending image is neither
 * copied, launched nor deregistered), and the instance type replicas get unless another is chosen.
 */
class ImageActionTest {
    private static Image image(ImageState state) {
        return new Image("ami-0123456789abcdef0", "backup", "", "x86_64", 1, 0, Instant.EPOCH, "test", "6.1", "root",
                List.of(), state, "snap-0123456789abcdef0", null, null, null);
    }

    @Test
    void onlyAnAvailableImageIsCopiedLaunchedOrDeregistered() {
        for (ImageAction action : ImageAction.values()) {
            assertTrue(action.allows(image(ImageState.AVAILABLE)), action.name());
            assertFalse(action.allows(image(ImageState.PENDING)), action.name());
            assertFalse(action.allows(null), action.name() + " with nothing selected");
        }
    }

    @Test
    void replicasAreT3NanoUnlessItDoesNotFitThenTheSmallestThatDoes() {
        ImagesViewModel.TypeChoice nano = new ImagesViewModel.TypeChoice(new InstanceType("t3.nano", 2, 512), null);
        ImagesViewModel.TypeChoice micro = new ImagesViewModel.TypeChoice(new InstanceType("t3.micro", 2, 1024), null);
        assertEquals(nano, LaunchReplicasDialog.defaultType(List.of(micro, nano)));
        ImagesViewModel.TypeChoice nanoTooBig = new ImagesViewModel.TypeChoice(nano.type(), "too big");
        ImagesViewModel.TypeChoice big = new ImagesViewModel.TypeChoice(new InstanceType("t3.large", 2, 8192),
                "too big");
        assertEquals(micro, LaunchReplicasDialog.defaultType(List.of(nanoTooBig, micro, big)));
        assertNull(LaunchReplicasDialog.defaultType(List.of(nanoTooBig, big)), "nothing fits");
    }
}
