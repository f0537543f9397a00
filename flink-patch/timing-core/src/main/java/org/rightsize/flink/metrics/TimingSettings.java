package org.rightsize.flink.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Record-timing settings, read from the TaskManager's Flink configuration ({@code config.yaml} or
 * {@code flink-conf.yaml}) through a plain key lookup so this class needs no Flink on the
 * classpath. Invalid values fall back to the default and are listed in {@link #problems()}, so a
 * typo never stops a TaskManager.
 */
public final class TimingSettings {

    /** {@code true}/{@code false}; off leaves Flink's record processors untouched. */
    public static final String ENABLED = "rightsize.timing.enabled";

    /**
     * How often each task times a run of records ({@link TaskSampling#recordsPerArming}) while
     * records arrive, a Flink duration such as {@code 100 ms}; {@code 0} times every record. Records slower than {@link
     * TaskSampling#TIME_EVERY_RECORD_ABOVE_NANOS} are all timed anyway.
     */
    public static final String SAMPLE_INTERVAL = "rightsize.timing.sample-interval";

    /** The count-based setting that {@link #SAMPLE_INTERVAL} replaced; read only to say so. */
    static final String OLD_SAMPLE_EVERY = "rightsize.timing.sample-every";

    /** Length of the window the gauges describe, a Flink duration such as {@code 10 s}. */
    public static final String WINDOW = "rightsize.timing.window";

    /** Path of {@code libjni_metrics.so}, or of the directory holding it. */
    public static final String NATIVE_LIBRARY = "rightsize.timing.native-library";

    public static final boolean DEFAULT_ENABLED = true;

    /**
     * Each task armed every 100 ms, 100 consecutive records timed each time ({@link
     * TaskSampling#recordsPerArming}): about 1000 timed records a second, 10 000 in a default
     * window, from 10 instants a second. An arming costs a wake-up of the sampler thread and a
     * mail (tens of microseconds on a virtual machine, and wake-ups can cost the task thread
     * too), so the default keeps them few; the timed records cost ≈ 300 ns each for four chained
     * operators; untimed records run Flink's own code.
     */
    public static final long DEFAULT_SAMPLE_INTERVAL_MILLIS = 100;

    public static final long DEFAULT_WINDOW_MILLIS = 10_000;

    private static final TimingSettings DEFAULTS =
            new TimingSettings(
                    DEFAULT_ENABLED,
                    DEFAULT_SAMPLE_INTERVAL_MILLIS,
                    DEFAULT_WINDOW_MILLIS,
                    null,
                    Collections.emptyList());

    private final boolean enabled;
    private final long sampleIntervalMillis;
    private final long windowMillis;
    private final String nativeLibrary;
    private final List<String> problems;

    private TimingSettings(
            boolean enabled,
            long sampleIntervalMillis,
            long windowMillis,
            String nativeLibrary,
            List<String> problems) {
        this.enabled = enabled;
        this.sampleIntervalMillis = sampleIntervalMillis;
        this.windowMillis = windowMillis;
        this.nativeLibrary = nativeLibrary;
        this.problems = problems;
    }

    public static TimingSettings defaults() {
        return DEFAULTS;
    }

    /** Reads the settings; {@code lookup} returns a key's raw value, or null when unset. */
    public static TimingSettings from(Function<String, String> lookup) {
        List<String> problems = new ArrayList<>();
        boolean enabled = DEFAULT_ENABLED;
        String rawEnabled = trimmed(lookup.apply(ENABLED));
        if (rawEnabled != null) {
            if (rawEnabled.equalsIgnoreCase("true")) {
                enabled = true;
            } else if (rawEnabled.equalsIgnoreCase("false")) {
                enabled = false;
            } else {
                problems.add(invalid(ENABLED, rawEnabled, "true or false", DEFAULT_ENABLED));
            }
        }

        long sampleIntervalMillis = DEFAULT_SAMPLE_INTERVAL_MILLIS;
        String rawInterval = trimmed(lookup.apply(SAMPLE_INTERVAL));
        if (rawInterval != null) {
            long parsed = parseDurationMillis(rawInterval);
            if (parsed < 0 || parsed > Integer.MAX_VALUE) {
                problems.add(
                        invalid(
                                SAMPLE_INTERVAL,
                                rawInterval,
                                "a duration such as 1 ms or 10 ms (0 times every record)",
                                DEFAULT_SAMPLE_INTERVAL_MILLIS + " ms"));
            } else {
                sampleIntervalMillis = parsed;
            }
        }
        if (trimmed(lookup.apply(OLD_SAMPLE_EVERY)) != null) {
            problems.add(
                    "Ignoring "
                            + OLD_SAMPLE_EVERY
                            + ": records are now sampled by time; set "
                            + SAMPLE_INTERVAL
                            + " instead (0 times every record)");
        }

        long windowMillis = DEFAULT_WINDOW_MILLIS;
        String rawWindow = trimmed(lookup.apply(WINDOW));
        if (rawWindow != null) {
            long parsed = parseDurationMillis(rawWindow);
            if (parsed <= 0 || parsed > Integer.MAX_VALUE) {
                problems.add(
                        invalid(
                                WINDOW,
                                rawWindow,
                                "a positive duration such as 10 s, 500 ms or 1 min",
                                DEFAULT_WINDOW_MILLIS + " ms"));
            } else {
                windowMillis = parsed;
            }
        }

        String nativeLibrary = trimmed(lookup.apply(NATIVE_LIBRARY));
        return new TimingSettings(
                enabled,
                sampleIntervalMillis,
                windowMillis,
                nativeLibrary,
                Collections.unmodifiableList(problems));
    }

    public boolean enabled() {
        return enabled;
    }

    /** Milliseconds between two timed records of a task; 0 times every record. */
    public long sampleIntervalMillis() {
        return sampleIntervalMillis;
    }

    public long windowMillis() {
        return windowMillis;
    }

    /** The configured library path, or null to search beside the jar and on java.library.path. */
    public String nativeLibrary() {
        return nativeLibrary;
    }

    /** One message per invalid value, naming the key, the value and what is expected. */
    public List<String> problems() {
        return problems;
    }

    @Override
    public String toString() {
        return ENABLED + "=" + enabled + ", " + SAMPLE_INTERVAL + "=" + sampleIntervalMillis + " ms, " + WINDOW
                + "=" + windowMillis + " ms, " + NATIVE_LIBRARY + "="
                + (nativeLibrary == null ? "(search)" : nativeLibrary);
    }

    private static String trimmed(String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        return trimmed.isEmpty() ? null : trimmed;
    }

    private static String invalid(String key, String value, String expected, Object fallback) {
        return "Ignoring " + key + ": '" + value + "' is not " + expected + "; using " + fallback;
    }

    /**
     * Parses a duration the way Flink writes them ({@code 10 s}, {@code 500ms}, {@code 1 min},
     * {@code 2h}; a bare number is milliseconds). Returns -1 when it cannot.
     */
    static long parseDurationMillis(String raw) {
        String text = raw.trim().toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < text.length() && Character.isDigit(text.charAt(split))) {
            split++;
        }
        if (split == 0) {
            return -1;
        }
        long amount;
        try {
            amount = Long.parseLong(text.substring(0, split));
        } catch (NumberFormatException e) {
            return -1;
        }
        long unitMillis = unitMillis(text.substring(split).trim());
        if (unitMillis <= 0 || amount > Long.MAX_VALUE / unitMillis) {
            return -1;
        }
        return amount * unitMillis;
    }

    private static long unitMillis(String unit) {
        switch (unit) {
            case "":
            case "ms":
            case "milli":
            case "millis":
            case "millisecond":
            case "milliseconds":
                return 1;
            case "s":
            case "sec":
            case "secs":
            case "second":
            case "seconds":
                return 1_000;
            case "m":
            case "min":
            case "minute":
            case "minutes":
                return 60_000;
            case "h":
            case "hour":
            case "hours":
                return 3_600_000;
            default:
                return -1;
        }
    }
}
