namespace Detr.Training.Matching;

/// <summary>
/// Exact rectangular linear sum assignment: the shortest augmenting path method (Jonker–Volgenant as refined by
/// Crouse, 2016) that <c>scipy.optimize.linear_sum_assignment</c> uses, step for step, so ties resolve the same way and
/// the same assignment comes out. Every row of the smaller side is assigned; rows are returned ascending.
/// </summary>
public static class LinearSumAssignment
{
    /// <summary>Minimum-cost (or maximum with <paramref name="maximize"/>) assignment of rows to columns.</summary>
    public static (int[] Rows, int[] Columns) Solve(double[,] cost, bool maximize = false)
    {
        int rows = cost.GetLength(0), columns = cost.GetLength(1);
        if (rows == 0 || columns == 0)
            return ([], []);
        bool transpose = columns < rows;
        int nr = transpose ? columns : rows, nc = transpose ? rows : columns;
        var c = new double[nr * nc];
        for (int i = 0; i < nr; i++)
            for (int j = 0; j < nc; j++)
            {
                double value = transpose ? cost[j, i] : cost[i, j];
                if (maximize)
                    value = -value;
                if (double.IsNaN(value) || double.IsNegativeInfinity(value))
                    throw new ArgumentException("The cost matrix contains NaN or −∞ (after negation when maximising); only finite values and +∞ are allowed.", nameof(cost));
                c[i * nc + j] = value;
            }

        var u = new double[nr];
        var v = new double[nc];
        var shortest = new double[nc];
        var path = new int[nc];
        var col4row = new int[nr];
        var row4col = new int[nc];
        var visitedRows = new bool[nr];
        var visitedColumns = new bool[nc];
        var remaining = new int[nc];
        Array.Fill(path, -1);
        Array.Fill(col4row, -1);
        Array.Fill(row4col, -1);

        for (int current = 0; current < nr; current++)
        {
            int sink = AugmentingPath(nc, c, u, v, path, row4col, shortest, current, visitedRows, visitedColumns, remaining, out double minimum);
            if (sink < 0)
                throw new ArgumentException("The cost matrix is infeasible: +∞ everywhere a row could go.", nameof(cost));
            u[current] += minimum;
            for (int i = 0; i < nr; i++)
                if (visitedRows[i] && i != current)
                    u[i] += minimum - shortest[col4row[i]];
            for (int j = 0; j < nc; j++)
                if (visitedColumns[j])
                    v[j] -= minimum - shortest[j];
            for (int j = sink; ;)
            {
                int i = path[j];
                row4col[j] = i;
                (col4row[i], j) = (j, col4row[i]);
                if (i == current)
                    break;
            }
        }

        if (!transpose)
            return (Enumerable.Range(0, nr).ToArray(), col4row);
        // Transposed: report in the caller's orientation, ordered by the caller's rows.
        var order = Enumerable.Range(0, nr).OrderBy(i => col4row[i]).ToArray();
        return (order.Select(i => col4row[i]).ToArray(), order);
    }

    static int AugmentingPath(int nc, double[] cost, double[] u, double[] v, int[] path, int[] row4col, double[] shortest,
        int i, bool[] visitedRows, bool[] visitedColumns, int[] remaining, out double minimum)
    {
        minimum = 0;
        int remainingCount = nc;
        for (int it = 0; it < nc; it++)
            remaining[it] = nc - it - 1; // scanned in reverse, as scipy does
        Array.Fill(visitedRows, false);
        Array.Fill(visitedColumns, false);
        Array.Fill(shortest, double.PositiveInfinity);
        int sink = -1;
        while (sink == -1)
        {
            int index = -1;
            double lowest = double.PositiveInfinity;
            visitedRows[i] = true;
            for (int it = 0; it < remainingCount; it++)
            {
                int j = remaining[it];
                double reduced = minimum + cost[i * nc + j] - u[i] - v[j];
                if (reduced < shortest[j])
                {
                    path[j] = i;
                    shortest[j] = reduced;
                }
                // Among equal minima prefer a free column: it ends the path (matters for small integer costs).
                if (shortest[j] < lowest || (shortest[j] == lowest && row4col[j] == -1))
                {
                    lowest = shortest[j];
                    index = it;
                }
            }
            minimum = lowest;
            if (double.IsPositiveInfinity(minimum))
                return -1;
            int column = remaining[index];
            if (row4col[column] == -1)
                sink = column;
            else
                i = row4col[column];
            visitedColumns[column] = true;
            remaining[index] = remaining[--remainingCount];
        }
        return sink;
    }
}
