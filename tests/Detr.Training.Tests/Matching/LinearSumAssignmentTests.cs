using System.Text.Json;
using Detr.Training.Matching;

namespace Detr.Training.Tests.Matching;

public class LinearSumAssignmentTests
{
    static double[,] Matrix(JsonElement rows)
    {
        var list = rows.EnumerateArray().Select(r => r.EnumerateArray()
            .Select(v => v.ValueKind == JsonValueKind.String ? double.PositiveInfinity : v.GetDouble()).ToArray()).ToArray();
        var matrix = new double[list.Length, list.Length == 0 ? 0 : list[0].Length];
        for (int i = 0; i < list.Length; i++)
            for (int j = 0; j < list[i].Length; j++)
                matrix[i, j] = list[i][j];
        return matrix;
    }

    [Fact]
    public void GivesScipysAssignmentIncludingTies()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "matching", "lsa_cases.json")));
        int count = 0;
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            bool maximize = c.TryGetProperty("maximize", out var m) && m.GetBoolean();
            var (rows, columns) = LinearSumAssignment.Solve(Matrix(c.GetProperty("cost")), maximize);
            Assert.Equal(c.GetProperty("rows").EnumerateArray().Select(e => e.GetInt32()), rows);
            Assert.Equal(c.GetProperty("cols").EnumerateArray().Select(e => e.GetInt32()), columns);
            count++;
        }
        Assert.True(count >= 30);
    }

    [Fact]
    public void OptimalCostEqualsBruteForce()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 300; trial++)
        {
            int rows = random.Next(1, 6), columns = random.Next(1, 6);
            var cost = new double[rows, columns];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < columns; j++)
                    cost[i, j] = trial % 2 == 0 ? random.Next(0, 3) : random.NextDouble() * 10 - 5;
            var (r, c) = LinearSumAssignment.Solve(cost);
            Assert.Equal(Math.Min(rows, columns), r.Length);
            Assert.Equal(r.Length, r.Distinct().Count());
            Assert.Equal(c.Length, c.Distinct().Count());
            Assert.True(r.SequenceEqual(r.Order()));
            double got = r.Zip(c).Sum(p => cost[p.First, p.Second]);
            Assert.Equal(BruteForce(cost), got, 9);
        }
    }

    static double BruteForce(double[,] cost)
    {
        int rows = cost.GetLength(0), columns = cost.GetLength(1);
        bool transpose = rows > columns;
        int small = Math.Min(rows, columns), large = Math.Max(rows, columns);
        double best = double.PositiveInfinity;
        void Search(int i, bool[] used, double sum)
        {
            if (i == small) { best = Math.Min(best, sum); return; }
            for (int j = 0; j < large; j++)
                if (!used[j])
                {
                    used[j] = true;
                    Search(i + 1, used, sum + (transpose ? cost[j, i] : cost[i, j]));
                    used[j] = false;
                }
        }
        Search(0, new bool[large], 0);
        return best;
    }

    [Fact]
    public void EmptyMatricesGiveNoPairs()
    {
        Assert.Empty(LinearSumAssignment.Solve(new double[0, 5]).Rows);
        Assert.Empty(LinearSumAssignment.Solve(new double[4, 0]).Columns);
    }

    [Fact]
    public void NaNAndInfeasibleAreRefused()
    {
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => LinearSumAssignment.Solve(new[,] { { 1.0, double.NaN } })).Message);
        Assert.Throws<ArgumentException>(() => LinearSumAssignment.Solve(new[,] { { double.NegativeInfinity, 1.0 } }));
        var infeasible = new[,] { { double.PositiveInfinity, double.PositiveInfinity }, { 1.0, 2.0 } };
        Assert.Contains("infeasible", Assert.Throws<ArgumentException>(() => LinearSumAssignment.Solve(infeasible)).Message);
    }
}
