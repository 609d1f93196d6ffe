using Megalodon.ML.Tests.Pretraining;

namespace Megalodon.ML.Tests.Cli;

/// <summary>
/// Text files, a tiny config.json, and a model pretrained from them through <c>megalodon pretrain</c> (3 steps, byte
/// tokenizer): built once and shared by the CLI tests, deleted at the end of the run.
/// </summary>
internal static class TinyCliModel
{
    private static readonly Lazy<Fixture> Shared = new(Build);

    public sealed record Fixture(ScratchFolder Scratch, string DataFolder, string ConfigPath, string ModelPath, int ExitCode, string Output, string Error);

    public static Fixture Get() => Shared.Value;

    /// <summary>The pretrain arguments for the tiny model, writing to <paramref name="output"/>.</summary>
    public static string[] PretrainArgs(string data, string config, string output, params string[] more) =>
    [
        "pretrain", "--data", data, "--config", config, "--tokenizer", "byte", "--steps", "3", "--seq-len", "32",
        "--batch", "2", "--valid-fraction", "0.5", "--threads", "1", "--sample-tokens", "8", "--out", output, .. more,
    ];

    public static string WriteConfig(string folder)
    {
        var path = Path.Combine(folder, "config.json");
        PretrainTestData.Config.Save(path);
        return path;
    }

    public static void Cleanup()
    {
        if (Shared.IsValueCreated) Shared.Value.Scratch.Dispose();
    }

    private static Fixture Build()
    {
        var scratch = new ScratchFolder();
        var data = Path.Combine(scratch.Path, "corpus");
        Directory.CreateDirectory(Path.Combine(data, "more"));
        File.WriteAllText(Path.Combine(data, "a.txt"), string.Join("\n", PretrainTestData.Documents.Take(3)));
        File.WriteAllText(Path.Combine(data, "more", "b.txt"), string.Join("\n", PretrainTestData.Documents.Skip(3)));
        File.WriteAllText(Path.Combine(data, "empty.txt"), "  \n");
        File.WriteAllText(Path.Combine(data, "notes.md"), "not read: not a .txt file");
        var config = WriteConfig(scratch.Path);
        var model = Path.Combine(scratch.Path, "out", "model.zip");
        var (code, output, error) = CliRunner.Run(PretrainArgs(data, config, model));
        return new Fixture(scratch, data, config, model, code, output, error);
    }
}
