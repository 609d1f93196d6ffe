using Megalodon.Cli.Commands;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Cli;

[TestClass]
public sealed class GenerateCliTests
{
    [TestMethod]
    public void GeneratePrintsTextFromTheSavedModel()
    {
        var model = TinyCliModel.Get().ModelPath;
        var (code, output, error) = CliRunner.Run("generate", "--model", model, "--prompt", "The ", "--max-tokens", "12", "--seed", "5");
        Assert.AreEqual(0, code, error);
        Assert.IsGreaterThan(1, output.Length, "some text and the final newline");
        StringAssert.EndsWith(output, Environment.NewLine);

        // The same seed gives the same text; --echo puts the prompt in front of it.
        var (_, again, _) = CliRunner.Run("generate", "--model", model, "--prompt", "The ", "--max-tokens", "12", "--seed", "5", "--echo");
        Assert.AreEqual("The " + output, again);
    }

    [TestMethod]
    public void GreedyGenerationReadsThePromptFromAFile()
    {
        var model = TinyCliModel.Get().ModelPath;
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("prompt.txt"), "A journey");
        var (code, output, error) = CliRunner.Run("generate", "--model", model, "--prompt-file", scratch.File("prompt.txt"), "--max-tokens", "6", "--temperature", "0");
        Assert.AreEqual(0, code, error);
        var (_, fromText, _) = CliRunner.Run("generate", "--model", model, "--prompt", "A journey", "--max-tokens", "6", "--temperature", "0");
        Assert.AreEqual(fromText, output);
    }

    [TestMethod]
    public void TheLanguageModelIsFoundInsideATransformerChain()
    {
        var fixture = TinyCliModel.Get();
        using var scratch = new ScratchFolder();
        var ml = new MLContext(seed: 1);
        var lm = ml.Model.Load(fixture.ModelPath, out var schema);
        var data = ml.Data.LoadFromEnumerable([new Pretraining.PretrainTestData.TextRow { Text = "x" }]);
        var copy = ml.Transforms.CopyColumns("Copy", "Text").Fit(data);
        var chain = new TransformerChain<ITransformer>(copy, lm);
        var chainPath = scratch.File("chain.zip");
        ml.Model.Save(chain, data.Schema, chainPath);

        Assert.IsNotNull(LanguageModelFile.Find(ml.Model.Load(chainPath, out _)));
        var (code, output, error) = CliRunner.Run("generate", "--model", chainPath, "--prompt", "The ", "--max-tokens", "4", "--temperature", "0");
        Assert.AreEqual(0, code, error);
        Assert.IsGreaterThan(0, output.Length);
    }

    [TestMethod]
    public void MissingModelFileIsAClearError()
    {
        using var scratch = new ScratchFolder();
        var (code, _, error) = CliRunner.Run("generate", "--model", scratch.File("absent.zip"), "--prompt", "x");
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "model file");
        StringAssert.Contains(error, "not found");
    }

    [TestMethod]
    public void AFileThatIsNotAModelIsAClearError()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("model.zip"), "not a zip");
        var (code, _, error) = CliRunner.Run("generate", "--model", scratch.File("model.zip"), "--prompt", "x");
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "could not load model");
    }

    [TestMethod]
    public void AModelWithoutALanguageModelIsAClearError()
    {
        using var scratch = new ScratchFolder();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new Pretraining.PretrainTestData.TextRow { Text = "x" }]);
        ml.Model.Save(ml.Transforms.CopyColumns("Copy", "Text").Fit(data), data.Schema, scratch.File("other.zip"));
        var (code, _, error) = CliRunner.Run("generate", "--model", scratch.File("other.zip"), "--prompt", "x");
        Assert.AreEqual(1, code, error);
        StringAssert.Contains(error, "holds no Megalodon language model");
    }

    [TestMethod]
    [DataRow("--prompt", "x")]
    [DataRow("--model", "m.zip")]
    [DataRow("--model", "m.zip", "--prompt", "x", "--prompt-file", "p.txt")]
    [DataRow("--model", "m.zip", "--prompt", "x", "--top-p", "0")]
    [DataRow("--model", "m.zip", "--prompt", "x", "--temperature", "-1")]
    [DataRow("--model", "m.zip", "--prompt", "x", "--stop", "")]
    public void BadArgumentsExitTwo(params string[] args)
    {
        var (code, _, error) = CliRunner.Run(["generate", .. args]);
        Assert.AreEqual(2, code, error);
        StringAssert.Contains(error, "Usage: megalodon generate");
    }
}
