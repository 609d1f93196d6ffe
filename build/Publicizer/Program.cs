using Megalodon.Build.Publicizer;

// Usage: Publicizer --out <dir> [--search <dir;dir;...>] <assembly.dll>...
// Writes <dir>/<name>.dll for each input with its internals made public (see AssemblyPublicizer).
try
{
    var options = PublicizerArguments.Parse(args);
    Directory.CreateDirectory(options.OutputDirectory);
    foreach (string input in options.Inputs)
    {
        string output = Path.Combine(options.OutputDirectory, Path.GetFileName(input));
        var counts = AssemblyPublicizer.Publicize(input, output, options.SearchDirectories);
        Console.WriteLine($"Publicizer: {Path.GetFileName(input)} -> {output} ({counts.Types} types, {counts.Members} members made accessible)");
    }
    return 0;
}
catch (Exception ex) when (ex is ArgumentException or IOException or BadImageFormatException or Mono.Cecil.AssemblyResolutionException)
{
    // MSBuild's Exec shows stderr lines as errors; keep it to one clear line.
    Console.Error.WriteLine($"error MEGPUB1: {ex.Message}");
    return 1;
}
