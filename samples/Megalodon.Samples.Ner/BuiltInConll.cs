using System.Text;

namespace Megalodon.Samples.Ner;

/// <summary>A small CoNLL set made in code (people, cities and bands in short sentences), so the sample runs without data files.</summary>
internal static class BuiltInConll
{
    private static readonly string[] People = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi"];
    private static readonly string[][] Cities = [["Paris"], ["Rome"], ["Oslo"], ["New", "York"], ["Lima"], ["Kyoto"]];
    private static readonly string[][] Bands = [["The", "Beatles"], ["Queen"], ["Radiohead"], ["Pink", "Floyd"]];

    /// <summary>Writes train, dev and test files to <paramref name="folder"/> and returns their paths.</summary>
    public static (string Train, string Dev, string Test) Write(string folder)
    {
        Directory.CreateDirectory(folder);
        string Path(string name, int count, int seed)
        {
            var path = System.IO.Path.Combine(folder, name);
            File.WriteAllText(path, Sentences(count, new Random(seed)));
            return path;
        }
        return (Path("train.conll", 96, 1), Path("dev.conll", 24, 2), Path("test.conll", 24, 3));
    }

    private static string Sentences(int count, Random random)
    {
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            var person = People[random.Next(People.Length)];
            var city = Cities[random.Next(Cities.Length)];
            var band = Bands[random.Next(Bands.Length)];
            var parts = new List<(string Word, string Label)> { (person, "B-person") };
            if (random.Next(2) == 0)
            {
                parts.AddRange([("saw", "O")]);
                parts.AddRange(band.Select((w, j) => (w, j == 0 ? "B-band" : "I-band")));
                parts.AddRange([("in", "O")]);
            }
            else parts.AddRange([("moved", "O"), ("to", "O")]);
            parts.AddRange(city.Select((w, j) => (w, j == 0 ? "B-city" : "I-city")));
            parts.Add((".", "O"));
            foreach (var (word, label) in parts) text.Append(word).Append('\t').Append(label).Append('\n');
            text.Append('\n');
        }
        return text.ToString();
    }
}
