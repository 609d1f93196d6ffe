namespace Megalodon.ML.Tests.Cli;

/// <summary>The command line itself: generated help for every verb, completion, and the exit codes of usage errors.</summary>
[TestClass]
public sealed class CommandLineTests
{
    [TestMethod]
    [DataRow("parity")]
    [DataRow("pretrain")]
    [DataRow("generate")]
    [DataRow("perplexity")]
    [DataRow("continue")]
    [DataRow("probe")]
    [DataRow("steer")]
    [DataRow("completion")]
    [DataRow("ner", "pretrain")]
    [DataRow("ner", "train")]
    [DataRow("ner", "eval")]
    [DataRow("ner", "tag")]
    public void EveryVerbHasHelpWithItsUsageAndOptions(params string[] verb)
    {
        var path = "megalodon " + string.Join(' ', verb);
        foreach (string[] args in new string[][] { [.. verb, "--help"], [.. verb, "-h"], ["help", .. verb] })
        {
            var (code, output, error) = CliRunner.Run(args);
            Assert.AreEqual(0, code, error);
            StringAssert.StartsWith(output, "Usage: " + path);
            StringAssert.Contains(output, "--help");
            Assert.AreEqual("", error);
        }
    }

    [TestMethod]
    public void TheVerbListNamesEveryVerb()
    {
        var (code, output, _) = CliRunner.Run("--help");
        Assert.AreEqual(0, code);
        foreach (var verb in new[] { "parity", "pretrain", "generate", "perplexity", "continue", "probe", "steer", "ner", "completion", "help" })
            StringAssert.Contains(output, $"\n  {verb} ");
        (code, output, _) = CliRunner.Run("ner", "--help");
        Assert.AreEqual(0, code);
        foreach (var verb in new[] { "pretrain", "train", "eval", "tag" })
            StringAssert.Contains(output, $"\n  {verb} ");
    }

    [TestMethod]
    public void OptionHelpShowsValueNamesAndDefaults()
    {
        var (_, output, _) = CliRunner.Run("generate", "--help");
        StringAssert.Contains(output, "--max-tokens N");
        StringAssert.Contains(output, "(default: 200)");
        StringAssert.Contains(output, "Exit code:");
    }

    [TestMethod]
    public void TheSuggestDirectiveCompletesVerbsOptionsAndChoices()
    {
        Assert.AreEqual("pretrain", Suggest("megalodon pre"));
        CollectionAssert.AreEquivalent(new[] { "--tokenizer", "--tokens" }, Suggest("megalodon pretrain --to").Split('\n'));
        CollectionAssert.AreEquivalent(new[] { "byte", "gpt2" }, Suggest("megalodon pretrain --tokenizer ").Split('\n'));
        CollectionAssert.AreEquivalent(new[] { "eval" }, Suggest("megalodon ner ev").Split('\n'));
    }

    private static string Suggest(string line)
    {
        var (code, output, error) = CliRunner.Run($"[suggest:{line.Length}]", line);
        Assert.AreEqual(0, code, error);
        return output.Trim().ReplaceLineEndings("\n");
    }

    [TestMethod]
    [DataRow("bash")]
    [DataRow("zsh")]
    public void TheCompletionScriptAsksTheSuggestDirective(string shell)
    {
        var (code, output, _) = CliRunner.Run("completion", shell);
        Assert.AreEqual(0, code);
        StringAssert.Contains(output, "megalodon \"[suggest:");
        Assert.AreEqual(2, CliRunner.Run("completion", "fish").ExitCode);
    }

    [TestMethod]
    public void ParseErrorsNameTheOptionAndTheValue()
    {
        var (code, output, error) = CliRunner.Run("pretrain", "--threads", "zero");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        StringAssert.StartsWith(error, "megalodon pretrain: Option --threads needs an integer from 1 to 1024 (got 'zero').");
        StringAssert.Contains(error, "Run 'megalodon pretrain --help' for the options.");

        (code, _, error) = CliRunner.Run("pretrain", "--tokens", "2X");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "Option --tokens needs a positive count such as 500000 or 2M (got '2X').");
    }

    [TestMethod]
    public void AValueMissingBeforeAValidatorIsOneUsageErrorNotACrash()
    {
        var (code, _, error) = CliRunner.Run("pretrain", "--data");
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "--data");
        StringAssert.Contains(error, "Usage: megalodon pretrain");
    }

    [TestMethod]
    public void ValuesMayStartWithAnAtSignOrAMinus()
    {
        // '@name' is not a response file, and a negative number is a value, not an option.
        var (code, _, error) = CliRunner.Run("steer", "--model", "@absent.zip", "--data", "absent.csv", "--layer", "0", "--alphas", "-4,4");
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "absent.csv");
    }

    [TestMethod]
    public void OptionsTakeTheirValueAfterAnEqualsSign()
    {
        var (code, _, error) = CliRunner.Run("pretrain", "--threads=0");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "(got '0')");
    }
}
