using Megalodon.Cli.CommandLine;

// The verbs are listed in MegalodonCommandLine.Create.
return MegalodonCommandLine.Run(args, Console.Out, Console.Error);
