"""Full-screen terminal views (Textual), imported only by the commands that open them."""
