using Megalodon.ML.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.Bench.Probing;

/// <summary>One probing set: a trustworthiness dimension and its grouped, labelled texts.</summary>
/// <param name="Name">Short name used in files and tables.</param>
/// <param name="Dimension">The paper's dimension it stands for.</param>
/// <param name="Rows">The texts, labels and split groups.</param>
internal sealed record ProbingSet(string Name, string Dimension, IReadOnlyList<GroupedLabelledText> Rows)
{
    /// <summary>The texts.</summary>
    public IReadOnlyList<string> Texts => Rows.Select(r => r.Text).ToList();

    /// <summary>The labels.</summary>
    public bool[] Labels => Rows.Select(r => r.Label).ToArray();

    /// <summary>The split of seed <paramref name="seed"/>: grouped, 80% of the rows train.</summary>
    public bool[] Split(int seed) => GroupedSplit.Assign(Rows.Select(r => r.Group).ToList(), 0.8, seed);
}

/// <summary>
/// The four probing sets, read from the shared data folder (never copied into the repository): TruthfulQA
/// (reliability), ToxiGen (toxicity), StereoSet (fairness), and a robustness set generated here from TruthfulQA's
/// answer sentences with the paper's random-case perturbation. Privacy has no set whose licence allows its use (see
/// docs/probing.md).
/// </summary>
internal static class ProbingSets
{
    /// <summary>Seed of the robustness set's perturbations and order; part of the set's definition.</summary>
    public const int RobustnessSeed = 20240229;

    /// <summary>The set names, in table order.</summary>
    public static readonly string[] Names = ["truthfulqa", "toxigen", "stereoset", "robustness"];

    /// <summary>Loads all four sets, each cut to at most <paramref name="maxRows"/> rows in file order.</summary>
    public static IReadOnlyList<ProbingSet> Load(MLContext ml, int maxRows)
    {
        string folder = SharedData.DataPath("tracingllm-probing");
        var truthful = Statements(ml, Path.Combine(folder, "truthfulqa_train.csv"), maxRows, QuestionOf);
        var toxigen = Statements(ml, Path.Combine(folder, "toxigen.csv"), maxRows, null);
        var stereoset = Statements(ml, Path.Combine(folder, "stereoset.csv"), maxRows, ContextOf);
        var robustness = RobustnessSet.Build(AnswerSentences(ml, SharedData.DataPath("truthfulqa", "TruthfulQA.csv")).Distinct(StringComparer.Ordinal).Take(maxRows / 2), RobustnessSeed);
        return
        [
            new ProbingSet("truthfulqa", "reliability (truthfulness)", truthful),
            new ProbingSet("toxigen", "toxicity", toxigen),
            new ProbingSet("stereoset", "fairness (stereotypes)", stereoset),
            new ProbingSet("robustness", "robustness (random-case typos)", robustness),
        ];
    }

    /// <summary>The prompt continued under steering: the question, the context sentence, or the first half of the words.</summary>
    public static string PromptOf(string set, string text)
    {
        if (set == "truthfulqa" && text.IndexOf("\tA:", StringComparison.Ordinal) is int a and >= 0) return text[..(a + 3)] + " ";
        if (set == "stereoset") return ContextOf(text) + " ";
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', words.Take(Math.Max(1, words.Length / 2))) + " ";
    }

    /// <summary>A TruthfulQA statement's question ("Q: ...\tA: ..."): all answers to one question stay on one side of a split.</summary>
    private static string QuestionOf(string text) => text.IndexOf("\tA:", StringComparison.Ordinal) is int a and >= 0 ? text[..a] : text;

    /// <summary>A StereoSet statement's context (its first sentence): the continuations of one context stay together.</summary>
    private static string ContextOf(string text)
    {
        int end = text.IndexOfAny(['.', '?', '!']);
        return end >= 0 && end < text.Length - 1 ? text[..(end + 1)] : text;
    }

    private static List<GroupedLabelledText> Statements(MLContext ml, string file, int maxRows, Func<string, string>? group)
    {
        var data = ml.Data.LoadFromTextFile<StatementRow>(file, separatorChar: ',', hasHeader: true, allowQuoting: true);
        // Statements empty after parsing have no activations.
        return ml.Data.CreateEnumerable<StatementRow>(data, reuseRowObject: false)
            .Where(r => !string.IsNullOrWhiteSpace(r.Text)).Take(maxRows)
            .Select((r, i) => new GroupedLabelledText(r.Text, r.Label, group?.Invoke(r.Text) ?? $"row{i}")).ToList();
    }

    /// <summary>TruthfulQA's answer sentences (best, correct and incorrect answers, in file order), the robustness set's source text.</summary>
    private static IEnumerable<string> AnswerSentences(MLContext ml, string file)
    {
        var data = ml.Data.LoadFromTextFile<AnswerRow>(file, separatorChar: ',', hasHeader: true, allowQuoting: true);
        foreach (var row in ml.Data.CreateEnumerable<AnswerRow>(data, reuseRowObject: false))
            foreach (var answer in new[] { row.Best }.Concat(row.Correct.Split(';')).Concat(row.Incorrect.Split(';')))
                if (answer.Trim() is { Length: >= 20 } sentence) yield return sentence;
    }

    private sealed class StatementRow
    {
        [LoadColumn(0)] public string Text { get; set; } = "";
        [LoadColumn(1)] public bool Label { get; set; }
    }

    private sealed class AnswerRow
    {
        [LoadColumn(3)] public string Best { get; set; } = "";
        [LoadColumn(5)] public string Correct { get; set; } = "";
        [LoadColumn(6)] public string Incorrect { get; set; } = "";
    }
}
