package org.rightsize.workloads;

import java.util.HashMap;
import java.util.Map;

/** `--name value` command-line options, each required unless given a default; errors say what to pass. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final String usage;

    Args(String[] args, String usage) {
        this.usage = usage;
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw fail("expected --name value pairs, got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    String text(String name, String fallback) {
        String value = values.getOrDefault(name, fallback);
        if (value == null || value.isEmpty()) {
            throw fail("--" + name + " is required");
        }
        return value;
    }

    String text(String name) {
        return text(name, null);
    }

    long positive(String name, String fallback) {
        String value = text(name, fallback);
        try {
            long number = Long.parseLong(value);
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw fail("--" + name + " must be a positive whole number, not '" + value + "'");
    }

    long nonNegative(String name, String fallback) {
        String value = text(name, fallback);
        try {
            long number = Long.parseLong(value);
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw fail("--" + name + " must be 0 or a positive whole number, not '" + value + "'");
    }

    private IllegalArgumentException fail(String problem) {
        return new IllegalArgumentException(problem + "\nusage: " + usage);
    }
}
