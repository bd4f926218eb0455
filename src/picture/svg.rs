//! SVG, laid out in-process by `layout-rs` (no Graphviz needed).
//!
//! layout-rs has no cluster boxes (it flattens subgraphs) and few shapes (box, rounded box,
//! ellipse). So the kind of a step is spelled out in its label, each Pulsar cluster gets
//! its own fill colour, and the cluster's name is on every step's label; boundary nodes are
//! white ellipses.

use std::panic::{catch_unwind, AssertUnwindSafe};

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::{NodeKind, Picture, PictureError};

/// layout-rs's own size for the edge labels it turns into nodes; one size for everything
/// keeps the SVG to a single font class.
const FONT_SIZE: usize = 15;

/// Fills for the clusters, in declaration order (light, so black text stays readable).
const CLUSTER_FILLS: [&str; 6] = [
    "#dbeafe", "#dcfce7", "#fef3c7", "#f3e8ff", "#ffe4e6", "#ccfbf1",
];

pub fn write(p: &Picture) -> Result<String, PictureError> {
    if p.nodes.is_empty() {
        // layout-rs expects at least one node; an empty mesh is an empty picture.
        return Ok(concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>"#,
            r#"<svg width="10" height="10" viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg"></svg>"#,
            "\n"
        )
        .to_string());
    }
    let mut graph = VisualGraph::new(Orientation::LeftToRight);
    let handles: Vec<_> = p
        .nodes
        .iter()
        .map(|n| {
            let label = match n.kind {
                NodeKind::Entry | NodeKind::Exit => format!("{}\n{}", n.title, n.detail),
                kind => format!("{}\n{} {}", n.title, kind.word(), n.detail),
            };
            let (shape, rounded, width) = match n.kind {
                NodeKind::Function => (ShapeKind::new_box(&label), 0, 1),
                NodeKind::Source => (ShapeKind::new_box(&label), 15, 1),
                NodeKind::Sink => (ShapeKind::new_box(&label), 15, 2),
                NodeKind::Entry | NodeKind::Exit => (ShapeKind::new_circle(&label), 0, 1),
            };
            let fill = match n.group {
                Some(g) => CLUSTER_FILLS[g % CLUSTER_FILLS.len()],
                None => "white",
            };
            let look = StyleAttr::new(
                Color::fast("black"),
                width,
                Some(Color::fast(fill)),
                rounded,
                FONT_SIZE,
            );
            // Elements are oriented across the graph's direction, as layout-rs's own DOT
            // front end does.
            let size = get_shape_size(Orientation::TopToBottom, &shape, FONT_SIZE, false);
            graph.add_node(Element::create(shape, look, Orientation::TopToBottom, size))
        })
        .collect();
    for e in &p.edges {
        let style = if e.side {
            LineStyleKind::Dashed
        } else {
            LineStyleKind::Normal
        };
        let look = StyleAttr::new(Color::fast("black"), 1, None, 0, FONT_SIZE);
        let arrow = Arrow::new(
            LineEndKind::None,
            LineEndKind::Arrow,
            style,
            &e.label,
            &look,
            &None,
            &None,
        );
        graph.add_edge(arrow, handles[e.from], handles[e.to]);
    }
    // layout-rs asserts on shapes it cannot place; a bug there should be an error message,
    // not a crash with a backtrace.
    catch_unwind(AssertUnwindSafe(move || {
        let mut canvas = Measured {
            svg: SVGWriter::new(),
            extent: Point::zero(),
        };
        graph.do_it(false, false, false, &mut canvas);
        let svg = canvas.svg.finalize();
        let mut text = sort_font_classes(&fit_canvas(&svg, canvas.extent));
        text.push('\n');
        text
    }))
    .map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "layout-rs panicked".into());
        PictureError::Layout(message)
    })
}

/// Forwards the drawing to layout-rs's SVG writer and keeps the true extent of what is
/// drawn: the writer sizes its canvas as if every text ran downwards 10px per character,
/// which leaves most of a wide picture empty.
struct Measured {
    svg: SVGWriter,
    extent: Point,
}

impl Measured {
    fn grow(&mut self, x: f64, y: f64) {
        self.extent.x = self.extent.x.max(x);
        self.extent.y = self.extent.y.max(y);
    }
}

impl RenderBackend for Measured {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
        clip: Option<ClipHandle>,
    ) {
        self.grow(xy.x + size.x, xy.y + size.y);
        self.svg.draw_rect(xy, size, look, properties, clip);
    }

    fn draw_line(
        &mut self,
        start: Point,
        stop: Point,
        look: &StyleAttr,
        properties: Option<String>,
    ) {
        self.grow(start.x.max(stop.x), start.y.max(stop.y));
        self.svg.draw_line(start, stop, look, properties);
    }

    fn draw_circle(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
    ) {
        // `xy` is the centre.
        self.grow(xy.x + size.x / 2., xy.y + size.y / 2.);
        self.svg.draw_circle(xy, size, look, properties);
    }

    fn draw_text(&mut self, xy: Point, text: &str, look: &StyleAttr) {
        // Centred on `xy`; a serif glyph is about 0.6em wide on average.
        let font = look.font_size as f64;
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
        let lines = text.lines().count() as f64;
        self.grow(xy.x + widest * font * 0.3, xy.y + (lines + 1.) * font / 2.);
        self.svg.draw_text(xy, text, look);
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        dashed: bool,
        head: (bool, bool),
        look: &StyleAttr,
        properties: Option<String>,
        text: &str,
    ) {
        // The curve stays inside its control points; the label runs along it.
        let margin = look.font_size as f64;
        for (a, b) in path {
            self.grow(a.x.max(b.x) + margin, a.y.max(b.y) + margin);
        }
        self.svg
            .draw_arrow(path, dashed, head, look, properties, text);
    }

    fn create_clip(&mut self, xy: Point, size: Point, rounded_px: usize) -> ClipHandle {
        self.svg.create_clip(xy, size, rounded_px)
    }
}

/// Replaces the size of the `<svg>` element with the measured extent (plus a margin).
fn fit_canvas(svg: &str, extent: Point) -> String {
    let Some(start) = svg.find("<svg ") else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find('>').map(|i| start + i) else {
        return svg.to_string();
    };
    let (w, h) = ((extent.x + 10.).ceil(), (extent.y + 10.).ceil());
    format!(
        "{}<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\">{}",
        &svg[..start],
        &svg[end + 1..]
    )
}

/// The SVG writer keeps its font classes in a `HashMap` and writes them in its iteration
/// order, which differs from run to run; sorted, the output is the same byte for byte.
fn sort_font_classes(svg: &str) -> String {
    const OPEN: &str = "<style>\n";
    const CLOSE: &str = "</style>";
    let Some(start) = svg.find(OPEN).map(|i| i + OPEN.len()) else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find(CLOSE).map(|i| start + i) else {
        return svg.to_string();
    };
    let mut classes: Vec<&str> = svg[start..end].lines().collect();
    classes.sort_unstable();
    let mut out = String::with_capacity(svg.len());
    out.push_str(&svg[..start]);
    for class in classes {
        out.push_str(class);
        out.push('\n');
    }
    out.push_str(&svg[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::sort_font_classes;

    #[test]
    fn font_classes_are_sorted() {
        let svg = "<svg><style>\n.b {}\n.a {}\n</style><g/></svg>";
        assert_eq!(
            sort_font_classes(svg),
            "<svg><style>\n.a {}\n.b {}\n</style><g/></svg>"
        );
    }
}
