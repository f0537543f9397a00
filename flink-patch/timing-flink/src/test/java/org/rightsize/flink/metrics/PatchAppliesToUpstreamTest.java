package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .patch files of this release apply with {@code patch -p1} and no fuzz to the upstream
 * source (the release's -sources.jar) and give exactly the patched classes this module compiles
 * against the release's jars. (scripts/check-patches.sh also runs {@code git apply --check} and
 * compiles the patched tree on its own.)
 */
class PatchAppliesToUpstreamTest {

    private static final String TARGET_PREFIX = "+++ b/";
    private static final String SOURCE_ROOT = "/src/main/java/";

    @TempDir Path tree;

    @Test
    void everyPatchAppliesCleanlyAndGivesTheCompiledSources() throws Exception {
        assumeTrue(hasPatchTool(), "GNU patch is not installed");
        Path patches = Paths.get(System.getProperty("rightsize.test.patches.dir"));
        Path patchedSources = Paths.get(System.getProperty("rightsize.test.patched.sources"));
        File upstream = new File(System.getProperty("rightsize.test.upstream.sources"));
        assertTrue(upstream.isFile(), "upstream sources jar missing: " + upstream);

        List<Path> patchFiles;
        try (Stream<Path> listing = Files.list(patches)) {
            patchFiles =
                    listing.filter(p -> p.toString().endsWith(".patch"))
                            .sorted()
                            .collect(Collectors.toList());
        }
        assertFalse(patchFiles.isEmpty(), "no .patch files in " + patches);

        Set<String> patchedClasses = new TreeSet<>();
        try (ZipFile sources = new ZipFile(upstream)) {
            for (Path patch : patchFiles) {
                String target = targetOf(patch);
                String classPath = target.substring(target.indexOf(SOURCE_ROOT) + SOURCE_ROOT.length());
                ZipEntry entry = sources.getEntry(classPath);
                assertNotNull(entry, classPath + " is not in " + upstream.getName());
                Path file = tree.resolve(target);
                Files.createDirectories(file.getParent());
                try (InputStream in = sources.getInputStream(entry)) {
                    Files.copy(in, file);
                }
                Process process =
                        new ProcessBuilder("patch", "-p1", "--forward", "--batch", "--fuzz=0")
                                .directory(tree.toFile())
                                .redirectInput(patch.toFile())
                                .redirectErrorStream(true)
                                .start();
                String output =
                        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(process.waitFor(60, TimeUnit.SECONDS), "patch did not finish");
                assertEquals(0, process.exitValue(), patch.getFileName() + ":\n" + output);
                assertArrayEquals(
                        Files.readAllBytes(patchedSources.resolve(classPath)),
                        Files.readAllBytes(file),
                        patch.getFileName() + " does not give " + classPath
                                + " of this module: run scripts/make-patches.sh");
                patchedClasses.add(classPath);
            }
        }

        Set<String> moduleClasses = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(patchedSources.resolve("org/apache/flink"))) {
            walk.filter(p -> p.toString().endsWith(".java"))
                    .forEach(p -> moduleClasses.add(patchedSources.relativize(p).toString()));
        }
        assertEquals(moduleClasses, patchedClasses, "every patched class has its .patch");
    }

    /** The path after {@code +++ b/}: where the patch writes, in a Flink source tree. */
    private static String targetOf(Path patch) throws IOException {
        for (String line : Files.readAllLines(patch, StandardCharsets.UTF_8)) {
            if (line.startsWith(TARGET_PREFIX)) {
                String target = line.substring(TARGET_PREFIX.length()).split("\t")[0].trim();
                assertTrue(target.contains(SOURCE_ROOT), "unexpected target " + target);
                return target;
            }
        }
        throw new AssertionError(patch + " has no +++ line");
    }

    private static boolean hasPatchTool() {
        try {
            Process process = new ProcessBuilder("patch", "--version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            System.err.println("SKIPPED PatchAppliesToUpstreamTest: no `patch` command (" + e.getMessage() + ")");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
