package dev.nube.engine.compute.instances;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.keys.KeyPair;

/**
 * Stands in for the console in {@code InstanceRecoveryVmTest}: a separate JVM that opens the engine on the data folder
 * given as its argument, launches one instance, prints its id and waits to be killed.
 */
public final class LaunchingConsole {
    private LaunchingConsole() {
    }

    public static void main(String[] args) throws Exception {
        Engine engine = Engine.open(java.nio.file.Path.of(args[0]));
        Image image = engine.images().ensureTinyImage("local-1");
        KeyPair key = engine.keyPairs().get("local-1", "test-key");
        Instance launched = engine.instances().run("local-1", RunRequest.of(image.id(), "t3.nano", key.id())).get(0);
        // RunInstances answers before the QEMU starts: wait until it has one to report.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        Instance instance = engine.instances().get("local-1", launched.id());
        while (instance.pid() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(launched.id() + " got no QEMU within 2 minutes");
            }
            Thread.sleep(50);
            instance = engine.instances().get("local-1", launched.id());
        }
        System.out.println("launched " + instance.id() + " " + instance.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
