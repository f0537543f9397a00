package org.rightsize.flink.metrics;

import java.io.File;
import java.net.URISyntaxException;
import java.security.CodeSource;

/**
 * The JNI bridge to jni-metrics ({@code libjni_metrics.so}); the native methods are its ABI
 * version 1 (see the crate docs for their exact semantics and status codes).
 *
 * <p>This class must be loaded by Flink's application class loader, that is from a jar in
 * {@code lib/}: the JVM binds a JNI library to the one class loader that loaded it, and a job
 * jar's class loader is re-created on every restart.
 */
public final class NativeTimers {

    /** The ABI this class was written against; the library's {@link #abiVersion()} must match. */
    public static final int EXPECTED_ABI_VERSION = 1;

    /** The library's base name: {@code libjni_metrics.so} on Linux. */
    public static final String LIBRARY_NAME = "jni_metrics";

    /** Native status codes (negative values are errors). */
    static final int STATUS_OK = 1;

    private static final Object LOCK = new Object();
    private static String loadFailure;
    private static String loadedFrom;

    private NativeTimers() {}

    static native int abiVersion();

    static native long create(String name, int windowMillis, long nowNanos);

    static native int destroy(long handle);

    static native int recordBatch(long handle, long[] samples, int count);

    static native int snapshot(long handle, long nowNanos, long[] out);

    /**
     * Loads the library once per JVM and checks its ABI version; later calls return the first
     * outcome whatever they pass (a JVM cannot unload or reload a library).
     *
     * @param configuredPath the library file or its directory, or null to look beside the jar
     *     holding this class and then on {@code java.library.path}
     * @return null when the natives are usable, otherwise why not (for one warning)
     */
    static String load(String configuredPath) {
        synchronized (LOCK) {
            if (loadedFrom == null && loadFailure == null) {
                loadFailure = tryLoad(configuredPath);
            }
            return loadFailure;
        }
    }

    /** Where the library was loaded from, or null when it is not in use. */
    static String loadedFrom() {
        synchronized (LOCK) {
            return loadFailure == null ? loadedFrom : null;
        }
    }

    private static String tryLoad(String configuredPath) {
        String fileName = System.mapLibraryName(LIBRARY_NAME);
        try {
            if (configuredPath != null) {
                File file = new File(configuredPath);
                if (file.isDirectory()) {
                    file = new File(file, fileName);
                }
                if (!file.isFile()) {
                    return "no file " + file.getAbsolutePath()
                            + " (set " + TimingSettings.NATIVE_LIBRARY
                            + " to the path of " + fileName + ")";
                }
                System.load(file.getAbsolutePath());
                loadedFrom = file.getAbsolutePath();
            } else {
                File besideJar = besideThisJar(fileName);
                if (besideJar != null) {
                    System.load(besideJar.getAbsolutePath());
                    loadedFrom = besideJar.getAbsolutePath();
                } else {
                    System.loadLibrary(LIBRARY_NAME);
                    loadedFrom = "java.library.path";
                }
            }
        } catch (UnsatisfiedLinkError | SecurityException e) {
            return "cannot load " + (configuredPath != null ? configuredPath : fileName)
                    + ": " + e.getMessage() + " (put " + fileName
                    + " beside the Rightsize jar in lib/, on java.library.path, or set "
                    + TimingSettings.NATIVE_LIBRARY + ")";
        }
        int version;
        try {
            version = abiVersion();
        } catch (UnsatisfiedLinkError e) {
            return loadedFrom + " does not implement " + NativeTimers.class.getName()
                    + " (" + e.getMessage() + "): use the jni-metrics build that matches this jar";
        }
        if (version != EXPECTED_ABI_VERSION) {
            return loadedFrom + " has ABI version " + version + ", this jar needs "
                    + EXPECTED_ABI_VERSION + ": use the jni-metrics build that matches this jar";
        }
        return null;
    }

    /** The library in the directory of the jar (or class directory) this class came from. */
    private static File besideThisJar(String fileName) {
        try {
            CodeSource source = NativeTimers.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return null;
            }
            File location = new File(source.getLocation().toURI());
            File directory = location.isDirectory() ? location : location.getParentFile();
            File candidate = directory == null ? null : new File(directory, fileName);
            return candidate != null && candidate.isFile() ? candidate : null;
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }
}
