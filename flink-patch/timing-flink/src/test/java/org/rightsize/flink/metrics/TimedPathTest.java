package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/** The timed path stays too big for the JIT to inline, whatever edits it goes through. */
class TimedPathTest {

    @Test
    void runIsLargerThanTheJitInlinesWhenHot() throws Exception {
        int size = bytecodeSize(TimedPath.class, "run");
        assertTrue(
                size > TimedPath.MAX_HOT_INLINE_BYTES,
                "TimedPath.run has "
                        + size
                        + " bytes of bytecode; it must keep more than "
                        + TimedPath.MAX_HOT_INLINE_BYTES
                        + " so that C2 never inlines the timed path into Flink's record path"
                        + " (grow the ballast in TimedPath)");
    }

    /** Bytecode bytes of {@code owner}'s method {@code name}, from javap's listing. */
    private static int bytecodeSize(Class<?> owner, String name) throws Exception {
        ToolProvider javap =
                ToolProvider.findFirst("javap")
                        .orElseThrow(() -> new AssertionError("this JDK has no javap"));
        String classes =
                Paths.get(owner.getProtectionDomain().getCodeSource().getLocation().toURI())
                        .toString();
        StringWriter out = new StringWriter();
        int status =
                javap.run(
                        new PrintWriter(out, true),
                        new PrintWriter(out, true),
                        "-c", "-p", "-cp", classes, owner.getName());
        assertEquals(0, status, "javap failed:\n" + out);
        // The method's header line, then "Code:", then one line per instruction ("  12: ifeq  20")
        // until the first other line; the size is at least the last instruction's offset + 1.
        Pattern header = Pattern.compile("\\s" + Pattern.quote(name) + "\\(");
        Pattern instruction = Pattern.compile("^\\s+(\\d+): \\w+");
        boolean inMethod = false;
        int last = -1;
        for (String line : out.toString().split("\\R")) {
            if (!inMethod) {
                inMethod = header.matcher(line).find();
                continue;
            }
            Matcher m = instruction.matcher(line);
            if (m.find()) {
                last = Integer.parseInt(m.group(1));
            } else if (last >= 0) {
                break;
            }
        }
        assertTrue(last >= 0, "no bytecode listed for " + name + " in:\n" + out);
        return last + 1;
    }
}
