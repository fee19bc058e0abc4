//! Text pictures of states for people: panels side by side, `#` for +1, `.` for −1.

use crate::state::State;

/// Widest picture hopgen draws, in characters.
const MAX_COLS: usize = 64;

/// The rows × cols to draw N neurons in: the given shape, else the most square
/// factorisation of N; `None` when N has no reasonable picture.
pub fn drawing_shape(n: usize, shape: Option<(usize, usize)>) -> Option<(usize, usize)> {
    if let Some((rows, cols)) = shape {
        return (cols <= MAX_COLS && rows <= 4 * MAX_COLS).then_some((rows, cols));
    }
    let rows = (1..=n)
        .take_while(|r| r * r <= n)
        .filter(|r| n.is_multiple_of(*r))
        .last()?;
    let cols = n / rows;
    (n >= 4 && cols <= 4 * rows && cols <= MAX_COLS).then_some((rows, cols))
}

/// Draws titled panels side by side, separated by three spaces.
pub fn side_by_side(panels: &[(String, &State)], (rows, cols): (usize, usize)) -> String {
    let width = |title: &String| cols.max(title.chars().count());
    let mut out = String::new();
    let titles: Vec<String> = panels
        .iter()
        .map(|(title, _)| format!("{title:<w$}", w = width(title)))
        .collect();
    out.push_str(titles.join("   ").trim_end());
    out.push('\n');
    for r in 0..rows {
        let line: Vec<String> = panels
            .iter()
            .map(|(title, state)| {
                let row: String = (0..cols)
                    .map(|c| if state.get(r * cols + c) { '#' } else { '.' })
                    .collect();
                format!("{row:<w$}", w = width(title))
            })
            .collect();
        out.push_str(line.join("   ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_square_ish_shapes() {
        assert_eq!(drawing_shape(256, None), Some((16, 16)));
        assert_eq!(drawing_shape(12, None), Some((3, 4)));
        assert_eq!(drawing_shape(13, None), None);
        assert_eq!(drawing_shape(8, Some((2, 4))), Some((2, 4)));
    }

    #[test]
    fn draws_panels_side_by_side() {
        let a = State::from_signs(&[1, -1, -1, 1]);
        let b = State::from_signs(&[-1, -1, 1, 1]);
        let text = side_by_side(&[("a".into(), &a), ("bb".into(), &b)], (2, 2));
        assert_eq!(text, "a    bb\n#.   ..\n.#   ##\n");
    }
}
