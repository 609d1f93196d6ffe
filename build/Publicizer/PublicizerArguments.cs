namespace Megalodon.Build.Publicizer;

/// <summary>The parsed command line of the publicizer.</summary>
internal sealed record PublicizerArguments(string OutputDirectory, IReadOnlyList<string> SearchDirectories, IReadOnlyList<string> Inputs)
{
    /// <summary>Parses <c>--out DIR [--search DIR;DIR] INPUT...</c>; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static PublicizerArguments Parse(IReadOnlyList<string> args)
    {
        string? output = null;
        var search = new List<string>();
        var inputs = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--out":
                    output = Value(args, ref i);
                    break;
                case "--search":
                    search.AddRange(Value(args, ref i).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                        throw new ArgumentException($"Unknown option '{args[i]}'. Usage: Publicizer --out <dir> [--search <dir;dir>] <assembly.dll>...");
                    inputs.Add(args[i]);
                    break;
            }
        }
        if (output is null)
            throw new ArgumentException("Missing --out <dir>.");
        if (inputs.Count == 0)
            throw new ArgumentException("No input assembly given.");
        foreach (string input in inputs)
        {
            if (!File.Exists(input))
                throw new ArgumentException($"Input assembly '{input}' does not exist.");
        }
        // The inputs' own folders come first: their siblings are the likeliest dependencies.
        var searchDirectories = inputs.Select(Path.GetDirectoryName).OfType<string>().Concat(search).Distinct().ToList();
        return new PublicizerArguments(output, searchDirectories, inputs);
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
            throw new ArgumentException($"Option '{args[i]}' needs a value.");
        return args[++i];
    }
}
