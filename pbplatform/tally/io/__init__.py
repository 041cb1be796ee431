"""Reading and writing the count's inputs and outputs: Pabulib ``.pb`` files (``pabulib``,
``writer``) and the META keys a published list adds to them (``published``)."""
