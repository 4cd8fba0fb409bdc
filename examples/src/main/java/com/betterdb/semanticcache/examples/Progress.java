package com.betterdb.semanticcache.examples;

import java.io.PrintStream;

/**
 * Progress of the demo run. On a terminal: one bar redrawn in place with {@code \r}. Otherwise (output to a file or a
 * pipe) a plain line each time another 10% of the prompts is answered, so logs stay readable.
 */
final class Progress {

    private static final int WIDTH = 40;

    private final PrintStream out;
    private final int total;
    private final boolean terminal;
    private int lastTenth = 0;
    private boolean drawn;

    Progress(PrintStream out, int total, boolean terminal) {
        this.out = out;
        this.total = total;
        this.terminal = terminal;
    }

    /** A terminal is attached when the JVM has a console (neither stdin nor stdout redirected). */
    static Progress forStdout(int total) {
        return new Progress(System.out, total, System.console() != null);
    }

    void update(int done, int hits) {
        if (terminal) {
            int filled = total == 0 ? WIDTH : Math.min(WIDTH, done * WIDTH / total);
            out.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + counts(done, hits) + "   ");
            out.flush();
            drawn = true;
            return;
        }
        int tenth = total == 0 ? 10 : Math.min(10, done * 10 / total);
        if (tenth > lastTenth) {
            lastTenth = tenth;
            out.printf("%3d%%  %s%n", tenth * 10, counts(done, hits));
        }
    }

    /** Ends the bar's line on a terminal. */
    void finish() {
        if (terminal && drawn) {
            out.println();
        }
    }

    private String counts(int done, int hits) {
        return done + "/" + total + " answered, hits " + hits + ", misses " + (done - hits);
    }
}
