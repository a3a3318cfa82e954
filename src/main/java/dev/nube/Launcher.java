package dev.nube;
public final class Launcher { public static void main(String[] a) {} }
