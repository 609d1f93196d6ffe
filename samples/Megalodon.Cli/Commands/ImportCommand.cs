using System.CommandLine;
using Megalodon.Cli.CommandLine;
using Megalodon.ML.Transforms;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon import</c>: a checkpoint folder (the reference's consolidated layout, safetensors, this library's
/// checkpoints or training step folders) saved as a model zip with its tokenizer. The work is <see cref="ModelFiles.Import"/>.
/// </summary>
public sealed class ImportCommand : VerbCommand
{
    private readonly Argument<string> _folder = new("dir") { Description = "the checkpoint folder" };
    private readonly Option<string?> _out = CliOptions.Text("--out", "FILE", "the model file to write (.zip)");

    /// <summary>Creates the verb.</summary>
    public ImportCommand() : base("import", "Save a checkpoint folder (the reference's or this library's) as a model file.")
    {
        _out.Required = true;
        Add(_folder);
        Add(_out);
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon import DIR --out FILE";

    /// <inheritdoc />
    public override string Details =>
        """
        Reads config.json (flat, or the reference trainer's nested one) and the weights: model.safetensors,
        weights.safetensors or consolidated.pth. The tokenizer comes from tokenizer_spec.json, tokenizer.model, or
        the path in the nested config; a vocab_size of -1 takes the tokenizer's size, as in the reference.
        """;

    /// <inheritdoc />
    public override string Notes => "Exit code: 0 success, 1 unreadable or corrupt checkpoint or no tokenizer, 2 bad arguments.";

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        var folder = parse.GetValue(_folder)!;
        var outZip = parse.GetValue(_out)!;
        if (!Directory.Exists(folder)) throw new CommandFailedException($"checkpoint folder '{folder}' not found.");
        try
        {
            ModelFiles.Import(folder, outZip);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or FormatException or ArgumentException)
        {
            throw new CommandFailedException(ex.Message);
        }
        output.WriteLine($"wrote {Path.GetFullPath(outZip)}");
        return 0;
    }
}
