package org.retinanet4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./retinanet} command-line tool. Each subcommand is a class of its own in this package.
 * Exit codes: 0 success, 1 failure of the job, 2 bad usage or bad input, 3 {@code detect} processed every image
 * except some that could not be read (named on standard error).
 */
@Command(name = "retinanet",
        mixinStandardHelpOptions = true,
        version = "retinanet 0.1.0-SNAPSHOT (DL4J 1.0.0-M2.1)",
        description = "RetinaNet object detection for Deeplearning4j.",
        subcommands = {
                CommandLine.HelpCommand.class,
                DemoCommand.class,
                TrainCommand.class,
                DetectCommand.class,
                SynthCommand.class,
                EvaluateCommand.class,
                DatasetInfoCommand.class,
                ImportTorchvisionCommand.class,
                NotebookCommand.class,
        })
public final class RetinaNetCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        SameDiffNoiseFilter.install();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests to run commands in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new RetinaNetCli())
                .setExecutionExceptionHandler(new OneLineErrorHandler());
    }
}
