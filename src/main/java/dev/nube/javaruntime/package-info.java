/**
 * Nube's Java runtime client: the program the {@code java17} and {@code java21} runtimes start inside the sandbox.
 * It is not part of the console: the engine copies these classes, with the aws-lambda-java-core and Jackson jars they
 * need, from its own class path into the runtime folder every sandbox sees at /var/runtime/java, and starts them in
 * the system JDK's JVM there. It depends only on the JDK, aws-lambda-java-core and Jackson.
 */
package dev.nube.javaruntime;
