package org.retinanet4j.notebook;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

/**
 * One JShell session: the state (variables, methods, classes, imports) that a notebook's cells share. A cell is
 * split into snippets and each is evaluated in order, as JJava does; the value of the cell's last snippet, when it
 * is an expression or a variable declaration, is the cell's result.
 */
final class NotebookSession implements AutoCloseable {

    /**
     * What the session starts with: JJava's default imports and the notebook functions ({@code display},
     * {@code printf}). A notebook that compiles here compiles in JJava, and the other way round.
     */
    static final String PRELUDE = """
            import java.util.*;
            import java.io.*;
            import java.math.*;
            import java.net.*;
            import java.time.*;
            import java.util.concurrent.*;
            import java.util.prefs.*;
            import java.util.regex.*;
            import static org.retinanet4j.notebook.NotebookStatics.*;
            """;

    /** Why a cell failed, before the runner adds which notebook and cell. */
    record Problem(NotebookFailure.Kind kind, String detail, Throwable cause) {
    }

    /** A cell's outcome: its value (when it has one) or a problem. */
    record CellOutcome(boolean hasValue, Object value, Problem problem) {
    }

    private final CapturingExecutionControl control = new CapturingExecutionControl();
    private final JShell shell;

    NotebookSession(List<String> classPath) {
        shell = JShell.builder().executionEngine(control.provider(), java.util.Map.of()).build();
        shell.addToClasspath(String.join(File.pathSeparator, classPath));
        CellOutcome prelude = eval(PRELUDE);
        if (prelude.problem() != null) {
            throw new IllegalStateException("the notebook session's prelude failed: " + prelude.problem().detail());
        }
    }

    /** Evaluates the code of one cell, snippet by snippet; stops at the first problem. */
    CellOutcome eval(String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = code;
        boolean hasValue = false;
        Object value = null;
        while (true) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (!info.completeness().isComplete()) {
                if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                    return new CellOutcome(hasValue, value, null);
                }
                int line = lineOf(code, code.length() - remaining.length() + leadingSpace(remaining));
                return problem(NotebookFailure.Kind.INCOMPLETE_CODE, "line " + line + ": "
                        + firstLine(remaining.strip()) + " ...", null);
            }
            int start = code.length() - remaining.length() + leadingSpace(remaining);
            remaining = info.remaining();
            control.reset();
            List<SnippetEvent> events = shell.eval(info.source());
            Problem p = check(events, code, start);
            if (p != null) {
                return new CellOutcome(false, null, p);
            }
            hasValue = false;
            value = null;
            for (SnippetEvent e : events) {
                if (e.causeSnippet() == null && control.hasValue() && carriesValue(e.snippet().subKind())) {
                    hasValue = true;
                    value = control.value();
                }
            }
        }
    }

    /** JJava's rule: expressions and variable declarations with an initialiser show their value. */
    private static boolean carriesValue(Snippet.SubKind kind) {
        return kind == Snippet.SubKind.VAR_VALUE_SUBKIND || kind == Snippet.SubKind.OTHER_EXPRESSION_SUBKIND
                || kind == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    private Problem check(List<SnippetEvent> events, String code, int start) {
        for (SnippetEvent e : events) {
            if (e.causeSnippet() != null) {
                continue;
            }
            JShellException ex = e.exception();
            if (ex != null) {
                return exceptionProblem(ex, code, start);
            }
            Snippet.Status status = e.status();
            if (!status.isDefined() && status != Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                return compileProblem(e.snippet(), code, start);
            }
        }
        return null;
    }

    private Problem compileProblem(Snippet snippet, String code, int start) {
        List<String> messages = new ArrayList<>();
        for (Diag d : shell.diagnostics(snippet).toList()) {
            if (!d.isError()) {
                continue;
            }
            long pos = d.getStartPosition() >= 0 ? d.getStartPosition() : 0;
            String message = d.getMessage(Locale.ROOT).lines()
                    .filter(l -> !l.strip().startsWith("location:"))
                    .collect(Collectors.joining(" "));
            messages.add("line " + lineOf(code, start + (int) pos) + ": " + message);
        }
        if (messages.isEmpty()) {
            messages.add("line " + lineOf(code, start) + ": " + firstLine(snippet.source()) + " was rejected");
        }
        return new Problem(NotebookFailure.Kind.COMPILE_ERROR, String.join("; ", messages), null);
    }

    private Problem exceptionProblem(JShellException ex, String code, int start) {
        String where = "line " + lineOf(code, start) + ": ";
        if (ex instanceof UnresolvedReferenceException u) {
            List<String> missing = shell.unresolvedDependencies(u.getSnippet()).toList();
            return new Problem(NotebookFailure.Kind.COMPILE_ERROR, where + u.getSnippet().source().strip()
                    + " needs " + String.join(", ", missing) + ", which no cell defines", null);
        }
        Throwable thrown = control.thrown();
        if (thrown == null) {
            String name = ex instanceof EvalException ee ? ee.getExceptionClassName() : ex.getClass().getName();
            return new Problem(NotebookFailure.Kind.EXCEPTION, where + name + ": " + ex.getMessage(), ex);
        }
        return new Problem(NotebookFailure.Kind.EXCEPTION, where + stackTrace(thrown), thrown);
    }

    /** The stack trace down to the snippet's own frame (the runner's frames below it say nothing). */
    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        List<String> lines = new ArrayList<>();
        boolean inSnippet = false;
        for (String line : w.toString().split("\\R")) {
            boolean snippetFrame = line.strip().startsWith("at REPL.");
            if (inSnippet && line.strip().startsWith("at ") && !snippetFrame) {
                continue;   // below the snippet: reflection and the runner
            }
            if (!line.strip().startsWith("at ")) {
                inSnippet = false;   // "Caused by" and "..." start a new section
            }
            inSnippet |= snippetFrame;
            lines.add(line);
        }
        return String.join("\n", lines).strip();
    }

    private CellOutcome problem(NotebookFailure.Kind kind, String detail, Throwable cause) {
        return new CellOutcome(false, null, new Problem(kind, detail, cause));
    }

    private static int leadingSpace(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int lineOf(String code, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, code.length()); i++) {
            if (code.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        shell.close();
    }
}
