using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Tests.Transforms;

[TestClass]
public sealed class TokenCountTests
{
    internal static readonly string[] Texts = ["Hello world", "", "héllo wörld 😀", "Megalodon packs documents."];

    internal sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    internal sealed class CountRow
    {
        public string Text { get; set; } = "";
        public int TokenCount { get; set; }
    }

    internal static IDataView Data(MLContext mlContext) => mlContext.Data.LoadFromEnumerable(Texts.Select(t => new TextRow { Text = t }));

    internal static int[] Counts(IDataView transformed) => transformed.GetColumn<int>("TokenCount").ToArray();

    [TestMethod]
    public void CountsTokensWithTheChosenTokenizer()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Data(mlContext);

        var gpt2 = mlContext.Transforms.Megalodon().CountTokens("TokenCount", "Text").Fit(data);
        var bytes = mlContext.Transforms.Megalodon().CountTokens(new TokenCountEstimator.Options { Tokenizer = ModelTokenizer.ByteLevel() }).Fit(data);

        CollectionAssert.AreEqual(Texts.Select(t => ModelTokenizer.Gpt2().Encode(t).Count).ToArray(), Counts(gpt2.Transform(data)));
        CollectionAssert.AreEqual(Texts.Select(t => System.Text.Encoding.UTF8.GetByteCount(t)).ToArray(), Counts(bytes.Transform(data)));
        Assert.AreEqual(NumberDataViewType.Int32, gpt2.GetOutputSchema(data.Schema)["TokenCount"].Type);
    }

    [TestMethod]
    public void MissingOrNonTextColumnsAreNamedInTheError()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Data(mlContext);

        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => mlContext.Transforms.Megalodon().CountTokens("TokenCount", "Body").Fit(data));
        StringAssert.Contains(missing.Message, "'Body'");

        var numbers = mlContext.Data.LoadFromEnumerable(new[] { new { Text = 1f } });
        var wrongType = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => mlContext.Transforms.Megalodon().CountTokens("TokenCount", "Text").Fit(numbers));
        StringAssert.Contains(wrongType.Message, "'Text'");
        StringAssert.Contains(wrongType.Message, "String");

        // Inside a pipeline the chain's schema propagation reports it too, naming the column.
        var pipeline = mlContext.Transforms.CopyColumns("Copy", "Text")
            .Append(mlContext.Transforms.Megalodon().CountTokens("TokenCount", "Body"));
        var inPipeline = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => pipeline.Fit(data));
        StringAssert.Contains(inPipeline.Message, "'Body'");
    }

    [TestMethod]
    public void SaveThenLoadInAFreshContextGivesIdenticalOutput()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Data(mlContext);
        var pipeline = mlContext.Transforms.CopyColumns("Original", "Text")
            .Append(mlContext.Transforms.Megalodon().CountTokens("TokenCount", "Text", ModelTokenizer.ByteLevel()));
        var model = pipeline.Fit(data);
        int[] expected = Counts(model.Transform(data));

        string path = Path.Combine(Path.GetTempPath(), $"megalodon-tokencount-{Guid.NewGuid():N}.zip");
        try
        {
            mlContext.Model.Save(model, data.Schema, path);
            using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
                Assert.IsTrue(zip.Entries.Any(e => e.FullName.EndsWith("/Tokenizer.bin", StringComparison.Ordinal)), "the tokenizer is stored inside the model zip");

            var fresh = new MLContext(seed: 2);
            var loaded = fresh.Model.Load(path, out var inputSchema);
            Assert.AreEqual("Text", inputSchema["Text"].Name);
            var chain = (TransformerChain<ITransformer>)loaded;
            var reloaded = chain.OfType<TokenCountTransformer>().Single();
            Assert.AreEqual(TokenizerKind.ByteLevel, reloaded.Tokenizer.ToSpec().Kind);
            CollectionAssert.AreEqual(expected, Counts(loaded.Transform(Data(fresh))));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PredictionEngineWorksOnALoadedModel()
    {
        var mlContext = new MLContext(seed: 1);
        var model = mlContext.Transforms.Megalodon().CountTokens("TokenCount", "Text").Fit(Data(mlContext));
        using var stream = new MemoryStream();
        mlContext.Model.Save(model, Data(mlContext).Schema, stream);
        stream.Position = 0;

        var fresh = new MLContext();
        var loaded = fresh.Model.Load(stream, out _);
        var engine = fresh.Model.CreatePredictionEngine<TextRow, CountRow>(loaded);
        foreach (string text in Texts)
            Assert.AreEqual(ModelTokenizer.Gpt2().Encode(text).Count, engine.Predict(new TextRow { Text = text }).TokenCount, text);
    }

    [TestMethod]
    public void SavingAnUndescribableTokenizerFailsWithTheReason()
    {
        var mlContext = new MLContext(seed: 1);
        var vocabulary = new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["[UNK]"] = 2 };
        var user = ModelTokenizer.FromTokenizer(BpeTokenizer.Create(new BpeOptions(vocabulary) { UnknownToken = "[UNK]" }), vocabSize: 4, endOfTextId: 3);
        var model = mlContext.Transforms.Megalodon().CountTokens("TokenCount", "Text", user).Fit(Data(mlContext));
        // Counting works; only saving needs a describable tokenizer.
        CollectionAssert.AreEqual(Texts.Select(t => user.CountTokens(t)).ToArray(), Counts(model.Transform(Data(mlContext))));

        using var stream = new MemoryStream();
        var ex = Assert.ThrowsExactly<NotSupportedException>(() => mlContext.Model.Save(model, Data(mlContext).Schema, stream));
        StringAssert.Contains(ex.Message, "FromBpeOptions");
    }

    [TestMethod]
    public void RuntimeStillLoadsTheRealMicrosoftMLAssemblies()
    {
        // We compile against publicized copies; the process must run the real, signed package assemblies.
        var core = typeof(ModelSaveContext).Assembly;
        Assert.IsFalse(typeof(ModelSaveContext).GetMethod("SaveBinaryStream")?.IsPublic ?? false, "a publicized Microsoft.ML.Core was loaded at run time");
        Assert.IsTrue(core.GetName().GetPublicKeyToken() is { Length: 8 });
        Assert.IsFalse(core.Location.Contains("pubref", StringComparison.Ordinal));
    }
}
