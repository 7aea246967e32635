package fulcrum.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process's memory and CPU, read from outside: resident set and CPU time from /proc, heap in use
 * from jcmd after a full GC.
 */
final class ProcessStats {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private ProcessStats() {
    }

    /** Resident set size in bytes, or -1 when /proc has no answer. */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * CPU time the process has used so far, {user, system} in seconds, from /proc/PID/stat (fields
     * 14 and 15, in clock ticks of 1/100 s on Linux), or {-1, -1}.
     */
    static double[] cpuSeconds(long pid) {
        try {
            long[] ticks = userAndSystemTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
            return new double[] {ticks[0] / 100.0, ticks[1] / 100.0};
        } catch (IOException | RuntimeException e) {
            return new double[] {-1, -1};
        }
    }

    /**
     * CPU seconds the JVM's JIT compiler threads ({@code C1 CompilerThread…}, {@code C2 CompilerThread…},
     * named so by HotSpot) have used so far, from /proc/PID/task/TID/stat, or -1 when /proc cannot tell.
     */
    static double compilerCpuSeconds(long pid) {
        Map<String, Double> groups = cpuSecondsByThreadGroup(pid);
        return groups.isEmpty() ? -1 : groups.getOrDefault(JIT, 0.0);
    }

    static final String JIT = "jit_compilers";
    static final String GC = "garbage_collector";
    static final String ROCKSDB = "rocksdb_background";
    static final String AMQP = "amqp_client";
    static final String OTHER = "other_threads";

    /**
     * CPU seconds (user and system) the process's threads have used so far, summed by what they do,
     * from /proc/PID/task/TID/stat and the names HotSpot, RocksDB and the AMQP client give their
     * threads: {@link #JIT}, {@link #GC}, {@link #ROCKSDB}, {@link #AMQP} and {@link #OTHER} (the
     * application's own threads). Empty when /proc cannot tell; a thread that ended is not counted.
     */
    static Map<String, Double> cpuSecondsByThreadGroup(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        Map<String, Double> groups = new LinkedHashMap<>();
        for (String group : List.of(JIT, GC, ROCKSDB, AMQP, OTHER)) {
            groups.put(group, 0.0);
        }
        try (var threads = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) threads::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended between the listing and the read
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                long[] ticks = userAndSystemTicks(stat);
                double seconds = (ticks[0] + ticks[1]) / 100.0;
                groups.merge(threadGroup(name), seconds, Double::sum);
            }
            return groups;
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    /**
     * Fields 14 and 15 of a process's or a thread's /proc stat line: user and system time, in clock
     * ticks of 1/100 s on Linux.
     */
    private static long[] userAndSystemTicks(String stat) {
        // the command name (field 2) may hold spaces: count fields after its closing parenthesis
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
    }

    /** The group of a thread by its name (as /proc shows it: at most 15 characters). */
    static String threadGroup(String name) {
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            return JIT;
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread")) {
            return GC;
        }
        if (name.startsWith("rocksdb:")) {
            return ROCKSDB;
        }
        if (name.startsWith("AMQP ")) {
            return AMQP;
        }
        return OTHER;
    }

    /** Heap in use after a full GC (live data), in bytes, or -1 when jcmd is not available. */
    static long liveHeapBytes(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return -1;
        }
        try {
            run(jcmd.toString(), Long.toString(pid), "GC.run");
            String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
            Matcher m = HEAP_USED.matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1; // the heap's line comes first, Metaspace after
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Writes the process's flight recording named {@code bench} to {@code file} (jcmd JFR.dump); false if that failed. */
    static boolean dumpFlightRecording(long pid, Path file) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            return run(jcmd.toString(), Long.toString(pid), "JFR.dump", "name=bench", "filename=" + file).contains("Dumped recording");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }
}
