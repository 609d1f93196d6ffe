using Megalodon.ML.Ner;
using Megalodon.ML.Tests.Cli;
using Megalodon.ML.Transforms;
using Microsoft.ML;

namespace Megalodon.ML.Tests.Ner;

/// <summary><c>megalodon ner</c>: pretrain, train, eval and tag end to end on a toy set, and its argument errors.</summary>
[TestClass]
public sealed class NerCliTests
{
    [TestMethod]
    public void PretrainTrainEvalAndTagRunEndToEnd()
    {
        using var scratch = new ScratchFolder();
        var sentences = EncoderToyData.Sentences(24);
        File.WriteAllLines(scratch.File("text.txt"), sentences.Select(s => s.Text));
        ConceptJsonl.WriteFile(scratch.File("concepts.jsonl"), sentences.Select(s => ConceptAnnotatedSentence.FromNerSentence(s)));
        ConllWriter.WriteFile(scratch.File("train.conll"), sentences);
        string encoders = scratch.File("enc");

        var pretrain = CliRunner.Run("ner", "pretrain", "--text", scratch.File("text.txt"), "--concepts", scratch.File("concepts.jsonl"), "--out", encoders,
            "--preset", "tiny", "--mlm-steps", "3", "--concept-steps", "3", "--batch", "4");
        Assert.AreEqual(0, pretrain.ExitCode, pretrain.Error);
        StringAssert.Contains(pretrain.Error, "step 3/3");
        Assert.IsTrue(File.Exists(Path.Combine(encoders, "text-encoder.safetensors")));
        Assert.IsTrue(File.Exists(Path.Combine(encoders, "concept-encoder.safetensors")));

        var train = CliRunner.Run("ner", "train", "--train", scratch.File("train.conll"), "--out", scratch.File("ner.zip"),
            "--encoder", Path.Combine(encoders, "text-encoder.safetensors"), "--epochs", "1", "--batch", "8");
        Assert.AreEqual(0, train.ExitCode, train.Error);
        StringAssert.Contains(train.Output, "5 labels");

        var eval = CliRunner.Run("ner", "eval", "--model", scratch.File("ner.zip"), "--data", scratch.File("train.conll"));
        Assert.AreEqual(0, eval.ExitCode, eval.Error);
        StringAssert.Contains(eval.Output, "24 sentences, 48 gold");
        StringAssert.Contains(eval.Output, "token macro F1");

        var tag = CliRunner.Run("ner", "tag", "--model", scratch.File("ner.zip"), "--sentence", "bob went to rome today");
        Assert.AreEqual(0, tag.ExitCode, tag.Error);
        StringAssert.StartsWith(tag.Output, "bob");

        var zeroShot = CliRunner.Run("ner", "tag", "--text-encoder", Path.Combine(encoders, "text-encoder.safetensors"),
            "--concept-encoder", Path.Combine(encoders, "concept-encoder.safetensors"), "--concept", "person", "--sentence", "bob went");
        Assert.AreEqual(0, zeroShot.ExitCode, zeroShot.Error);
    }

    [TestMethod]
    public void LenientReadingAndADevSetFromTheCommandLine()
    {
        using var scratch = new ScratchFolder();
        ConllWriter.WriteFile(scratch.File("train.conll"), EncoderToyData.Sentences(16));
        ConllWriter.WriteFile(scratch.File("dev.conll"), EncoderToyData.Sentences(4, seed: 7));
        // A tweet-like dev file: a lone-space word on line 26 and a word holding a space on line 27 (after 4 sentences of 5 words and a blank line each).
        File.AppendAllText(scratch.File("dev.conll"), "bob\tB-person\n \tO\nnew york\tB-city\n\n");

        var strict = CliRunner.Run("ner", "train", "--train", scratch.File("train.conll"), "--dev", scratch.File("dev.conll"), "--out", scratch.File("ner.zip"));
        Assert.AreEqual(1, strict.ExitCode);
        StringAssert.Contains(strict.Error, "Lenient");

        var train = CliRunner.Run("ner", "train", "--train", scratch.File("train.conll"), "--dev", scratch.File("dev.conll"), "--lenient",
            "--out", scratch.File("ner.zip"), "--epochs", "2", "--batch", "8", "--patience", "0");
        Assert.AreEqual(0, train.ExitCode, train.Error);
        StringAssert.Contains(train.Error, "repaired 1 empty or whitespace-only word(s) (line 26); 1 word(s) holding whitespace (line 27)");
        StringAssert.Contains(train.Error, "validation at step");

        var eval = CliRunner.Run("ner", "eval", "--model", scratch.File("ner.zip"), "--data", scratch.File("dev.conll"), "--lenient");
        Assert.AreEqual(0, eval.ExitCode, eval.Error);
        StringAssert.Contains(eval.Output, "5 sentences");
    }

    [TestMethod]
    public void TagGivesEveryWordOfASentencePastTheTokenLimitARealLabel()
    {
        // Issue 15, item 1: words past MaxTokens used to get zero features, and the head's bias made them one-word entities.
        using var scratch = new ScratchFolder();
        var ml = new MLContext(seed: 1);
        var options = NuNerTrainerTests.Options();
        options.MaxTokens = 40; // saved with the model; the 400-word sentence is about 2,000 bytes
        var data = ml.Data.LoadFromNerSentences(EncoderToyData.Sentences(32));
        using (var model = ml.MulticlassClassification.Trainers.NuNer(options).Fit(data))
            ml.Model.Save(model, data.Schema, scratch.File("ner.zip"));
        var longSentence = EncoderToyData.LongSentence();
        File.WriteAllText(scratch.File("long.txt"), longSentence.Text + "\n");

        var tag = CliRunner.Run("ner", "tag", "--model", scratch.File("ner.zip"), "--file", scratch.File("long.txt"));
        Assert.AreEqual(0, tag.ExitCode, tag.Error);
        var lines = tag.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // First line: each word, with "/LABEL" when it is not O; then one indented line per entity.
        var labels = lines[0].Split(' ').Select(w => w.Contains('/') ? w[(w.IndexOf('/') + 1)..] : "O").ToArray();
        CollectionAssert.AreEqual(longSentence.Labels.ToArray(), labels);
        Assert.AreEqual(160, lines.Count(l => l.StartsWith("  ", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void BadArgumentsAreUsageErrors()
    {
        var unknown = CliRunner.Run("ner", "frob");
        Assert.AreEqual(2, unknown.ExitCode);
        StringAssert.Contains(unknown.Error, "Unknown sub-verb 'frob'");

        var noData = CliRunner.Run("ner", "pretrain", "--out", "x");
        Assert.AreEqual(2, noData.ExitCode);
        StringAssert.Contains(noData.Error, "--text FILE");

        var missingModel = CliRunner.Run("ner", "eval", "--model", "/nonexistent/ner.zip", "--data", "/nonexistent/x.conll");
        Assert.AreEqual(1, missingModel.ExitCode);
        StringAssert.Contains(missingModel.Error, "not found");

        var zeroShotWithoutConcepts = CliRunner.Run("ner", "tag", "--text-encoder", "a", "--concept-encoder", "b", "--sentence", "x");
        Assert.AreEqual(2, zeroShotWithoutConcepts.ExitCode);
        StringAssert.Contains(zeroShotWithoutConcepts.Error, "--concept NAME");
    }
}
