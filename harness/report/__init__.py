"""Reports over scenario results: terminal summary, JSON, JUnit XML, the HTML timeline."""
