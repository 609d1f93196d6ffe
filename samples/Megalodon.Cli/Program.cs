using Megalodon.Cli.Commands;

// The verb registry. To add a verb: write one ICliCommand class in Commands/ and list it here.
ICliCommand[] verbs =
[
    new ParityCommand(),
    new PretrainCommand(),
    new GenerateCommand(),
    new PerplexityCommand(),
    new ContinueCommand(),
    new ProbeCommand(),
    new SteerCommand(),
    new NerCommand(),
];

return CommandDispatcher.Run(args, verbs, Console.Out, Console.Error);
