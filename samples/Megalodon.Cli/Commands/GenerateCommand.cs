using System.CommandLine;
using System.Globalization;
using Megalodon.Cli.CommandLine;
using Megalodon.ML.Generation;
using Megalodon.ML.Runtime;
using Megalodon.ML.Transforms.Pretraining;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon generate</c>: loads a saved model and streams a continuation of a prompt to standard output as it is
/// generated.
/// </summary>
public sealed class GenerateCommand : VerbCommand
{
    /// <summary>Tokens generated when <c>--max-tokens</c> is not given.</summary>
    public const int DefaultMaxTokens = 200;

    /// <summary>Temperature when <c>--temperature</c> is not given.</summary>
    public const double DefaultTemperature = 0.8;

    private readonly Option<string?> _model = CliOptions.Text("--model", "FILE", "the saved model (.zip)");
    private readonly Option<string?> _prompt = CliOptions.Text("--prompt", "TEXT", "the prompt");
    private readonly Option<string?> _promptFile = CliOptions.Text("--prompt-file", "FILE", "read the prompt from a file instead");
    private readonly Option<int?> _maxTokens = CliOptions.Int("--max-tokens", $"most tokens to generate (default: {DefaultMaxTokens})", min: 0);
    private readonly Option<double?> _temperature = CliOptions.Number("--temperature",
        $"sampling temperature, 0 for greedy (default: {DefaultTemperature.ToString(CultureInfo.InvariantCulture)})", min: 0, max: 100, helpName: "T");
    private readonly Option<int?> _topK = CliOptions.Int("--top-k", "sample among the K most likely tokens, 0 for all (default: 0)", min: 0, helpName: "K");
    private readonly Option<double?> _topP = CliOptions.Number("--top-p", "nucleus sampling threshold in (0, 1] (default: 1)", min: 0, max: 1, minExclusive: true, helpName: "P");
    private readonly Option<string[]> _stop = CliOptions.Repeated("--stop", "S", "stop before S would be written; repeatable");
    private readonly Option<int?> _seed = CliOptions.Int("--seed", "sampler seed (default: random)");
    private readonly Option<int?> _threads = CliOptions.Threads();
    private readonly Option<bool> _echo = CliOptions.Flag("--echo", "write the prompt before the continuation");

    /// <summary>Creates the verb.</summary>
    public GenerateCommand() : base("generate", "Generate text from a saved model, streamed as it is produced.")
    {
        _model.Required = true;
        foreach (var option in new Option[] { _model, _prompt, _promptFile, _maxTokens, _temperature, _topK, _topP, _stop, _seed, _threads, _echo })
            Add(option);
        CliOptions.ExactlyOne(this, _prompt, _promptFile);
        Validators.Add(r =>
        {
            if (CliOptions.Value(r, _stop) is { } stops && stops.Any(string.IsNullOrEmpty)) r.AddError("Option --stop needs a non-empty string.");
        });
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon generate --model FILE (--prompt TEXT | --prompt-file FILE) [options]";

    /// <inheritdoc />
    public override string Details =>
        """
        Loads an ML.NET model saved by 'megalodon pretrain' (the language model may sit inside a
        transformer chain) and writes a continuation of the prompt to standard output as it is generated.
        """;

    /// <inheritdoc />
    public override string Notes => "Exit code: 0 success, 1 unreadable model or prompt file, 2 bad arguments.";

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        var options = new GenerationOptions
        {
            MaxTokens = parse.GetValue(_maxTokens) ?? DefaultMaxTokens,
            Temperature = parse.GetValue(_temperature) ?? DefaultTemperature,
            TopK = parse.GetValue(_topK) ?? 0,
            TopP = parse.GetValue(_topP) ?? 1,
            StopStrings = parse.GetValue(_stop) ?? [],
            Seed = parse.GetValue(_seed),
        };
        string prompt = parse.GetValue(_prompt) ?? ReadPrompt(parse.GetValue(_promptFile)!);
        TorchDevices.ConfigureThreads(parse.GetValue(_threads));
        using var model = LanguageModelFile.Load(parse.GetValue(_model)!);
        if (parse.GetValue(_echo)) output.Write(prompt);
        StreamAsync(model, prompt, options, output).GetAwaiter().GetResult();
        output.WriteLine();
        output.Flush();
        return 0;
    }

    private static string ReadPrompt(string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"prompt file '{path}' not found.");
        return File.ReadAllText(path);
    }

    private static async Task StreamAsync(MegalodonLanguageModelTransformer model, string prompt, GenerationOptions options, TextWriter output)
    {
        await foreach (var piece in model.GenerateAsync(prompt, options).ConfigureAwait(false))
        {
            output.Write(piece);
            // Flush every piece: the point is to see the text as it comes.
            output.Flush();
        }
    }
}
